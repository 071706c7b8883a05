import {
  Button,
  FormField,
  FormFieldLabel,
  Input,
  Message,
  MessageBody,
  MessageIcon,
  Password,
} from '@ovhcloud/ods-react';
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { safeNext } from '../../app/signIn.ts';
import { useSignIn } from '../../data/session/hooks.ts';

function signInFailure(status: number, message: string): string {
  if (status === 401) return 'Wrong username or password. Check both and try again.';
  // 429 (lockout) and the rest: the BFF's sentence says how long to wait or what to fix.
  return message;
}

export default function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const signIn = useSignIn();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<string | null>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const usernameRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    document.title = 'Sign in · BYOI Console';
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (username.trim() === '' || password === '') {
      setMissing('Enter your username and your password.');
      (username.trim() === '' ? usernameRef : passwordRef).current?.focus();
      return;
    }
    setMissing(null);
    signIn.mutate(
      { username: username.trim(), password },
      {
        onSuccess: () => void navigate(next, { replace: true }),
        onError: () => {
          setPassword('');
          passwordRef.current?.focus();
        },
      },
    );
  };

  const error =
    missing ?? (signIn.error ? signInFailure(signIn.error.status, signIn.error.message) : null);

  return (
    <div className="sign-in">
      <header className="app-header">
        <span className="app-header__brand">BYOI Console</span>
        <span className="app-header__section">Bare Metal Cloud</span>
      </header>
      <main id="main" className="sign-in__main">
        <form
          className="sign-in__card"
          noValidate
          onSubmit={submit}
          aria-labelledby="sign-in-title"
        >
          <h1 id="sign-in-title" className="page-title">
            Sign in
          </h1>
          <p className="page-lead">Sign in with the console account your administrator gave you.</p>
          {error ? (
            <Message color="critical" dismissible={false} className="page-message" role="alert">
              <MessageIcon name="hexagon-exclamation" />
              <MessageBody>{error}</MessageBody>
            </Message>
          ) : null}
          <FormField className="field">
            <FormFieldLabel htmlFor="sign-in-username">Username</FormFieldLabel>
            <Input
              id="sign-in-username"
              ref={usernameRef}
              name="username"
              autoComplete="username"
              autoCapitalize="off"
              spellCheck={false}
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </FormField>
          <FormField className="field">
            <FormFieldLabel htmlFor="sign-in-password">Password</FormFieldLabel>
            <Password
              id="sign-in-password"
              ref={passwordRef}
              name="password"
              autoComplete="current-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </FormField>
          <Button
            type="submit"
            className="sign-in__submit"
            loading={signIn.isPending}
            disabled={signIn.isPending}
          >
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      </main>
    </div>
  );
}
