import { ROLLOUT_NAME_MAX_LENGTH } from '@byoi/shared';
import type { CreateRolloutInput } from '@byoi/shared';
import { Button, Input, Message, MessageBody, MessageIcon } from '@ovhcloud/ods-react';
import { useEffect, useState } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import type { FieldPath } from 'react-hook-form';
import { useLocation, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../data/client.ts';
import { useCreateRollout } from '../../data/rollouts/hooks.ts';
import { useCanOperate } from '../../data/session/hooks.ts';
import { ErrorMessage } from '../../ui/ErrorMessage.tsx';
import { Field } from '../../ui/Field.tsx';
import { PageBreadcrumb } from '../../ui/PageBreadcrumb.tsx';
import { RouterLink } from '../../ui/RouterLink.tsx';
import { useDebouncedValue } from '../../ui/useDebouncedValue.ts';
import { useFocusFirstInvalid } from '../../ui/useFocusFirstInvalid.ts';
import { CustomizationsSection } from './CustomizationsSection.tsx';
import { ImageSection } from './ImageSection.tsx';
import { PlanSection } from './PlanSection.tsx';
import type { RolloutFormValues } from './rolloutForm.ts';
import { EMPTY_ROLLOUT_FORM, formPathOf, namesOf, rolloutResolver } from './rolloutForm.ts';
import { ServersSection, useSearchMatches } from './ServersSection.tsx';
import './newRollout.css';

/** The server list's selection: names in the router state, or a search in the address. */
function initialValues(state: unknown, params: URLSearchParams): RolloutFormValues {
  const names =
    typeof state === 'object' &&
    state !== null &&
    'servers' in state &&
    Array.isArray(state.servers)
      ? state.servers.filter((name): name is string => typeof name === 'string')
      : [];
  const search = params.get('search');
  const servers: RolloutFormValues['servers'] =
    names.length > 0
      ? { ...EMPTY_ROLLOUT_FORM.servers, mode: 'names', names: names.join('\n') }
      : search !== null || params.has('datacenter')
        ? {
            ...EMPTY_ROLLOUT_FORM.servers,
            mode: 'search',
            search: search ?? '',
            datacenter: params.getAll('datacenter'),
          }
        : EMPTY_ROLLOUT_FORM.servers;
  return { ...EMPTY_ROLLOUT_FORM, servers };
}

/** Puts the BFF's 400 `fieldErrors` on the inputs they are about; the rest stays in the message. */
function applyFieldErrors(
  error: unknown,
  values: RolloutFormValues,
  setError: (path: FieldPath<RolloutFormValues>, message: string, focus: boolean) => void,
): void {
  if (!(error instanceof ApiError)) return;
  let focused = false;
  for (const [path, messages] of Object.entries(error.fieldErrors)) {
    if (path === '_form') continue;
    const target = formPathOf(path.split('.'), values);
    if (target.endsWith('.root') || target === 'root') continue;
    setError(target as FieldPath<RolloutFormValues>, messages.join(' '), !focused);
    focused = true;
  }
}

export default function NewRolloutPage() {
  const canOperate = useCanOperate();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const create = useCreateRollout();
  const [formRef, focusFirstInvalid] = useFocusFirstInvalid<HTMLFormElement>();
  const [defaults] = useState(() => initialValues(location.state, params));
  const form = useForm<RolloutFormValues, unknown, CreateRolloutInput>({
    resolver: rolloutResolver,
    mode: 'onBlur',
    reValidateMode: 'onChange',
    shouldFocusError: false,
    defaultValues: defaults,
  });
  const { register, handleSubmit, formState, setError, control } = form;

  const mode = useWatch({ control, name: 'servers.mode' });
  const namesText = useWatch({ control, name: 'servers.names' });
  const searchText = useWatch({ control, name: 'servers.search' });
  const datacenter = useWatch({ control, name: 'servers.datacenter' });
  const search = useDebouncedValue(searchText.trim(), 300);
  const matches = useSearchMatches(search, datacenter, canOperate && mode === 'search');
  const serverCount = mode === 'names' ? new Set(namesOf(namesText)).size : matches.count;

  useEffect(() => {
    document.title = 'New rollout · BYOI Console';
  }, []);

  const crumbs = [{ label: 'Rollouts', to: '/rollouts' }, { label: 'New rollout' }];
  if (!canOperate) {
    return (
      <>
        <PageBreadcrumb items={crumbs} />
        <h1 className="page-title">New rollout</h1>
        <Message color="information" dismissible={false} className="page-message">
          <MessageIcon name="circle-info" />
          <MessageBody>
            Your role is viewer: planning a rollout needs the operator role.{' '}
            <RouterLink to="/rollouts">Back to the rollouts</RouterLink>
          </MessageBody>
        </Message>
      </>
    );
  }

  const onValid = (request: CreateRolloutInput) => {
    const values = form.getValues();
    create.mutate(request, {
      onSuccess: ({ id }) => void navigate(`/rollouts/${encodeURIComponent(id)}`),
      onError: (error) =>
        applyFieldErrors(error, values, (path, message, focus) =>
          setError(path, { type: 'server', message }, { shouldFocus: focus }),
        ),
    });
  };

  return (
    <>
      <PageBreadcrumb items={crumbs} />
      <h1 className="page-title">New rollout</h1>
      <p className="page-lead">
        Reinstall many servers with one image, in waves. Planning installs nothing: the console
        first checks the image and every server, then you read the result and start it.
      </p>
      <form
        noValidate
        className="rollout-form"
        aria-label="New rollout"
        ref={formRef}
        onSubmit={(event) => void handleSubmit(onValid, focusFirstInvalid)(event)}
      >
        <p className="field-hint required-legend">
          Fields marked <span aria-hidden="true">*</span> are required.
        </p>
        <section className="form-section" aria-labelledby="rollout-about">
          <h2 id="rollout-about">Rollout</h2>
          <Field
            id="rollout-name"
            label="Name"
            required
            error={formState.errors.name?.message}
            hint="What the rollout is for, e.g. Debian 12.8 on web."
          >
            <Input
              {...register('name')}
              aria-required
              autoComplete="off"
              maxLength={ROLLOUT_NAME_MAX_LENGTH}
            />
          </Field>
        </section>
        <ServersSection form={form} search={search} matches={matches} />
        <ImageSection form={form} />
        <CustomizationsSection form={form} />
        <PlanSection form={form} serverCount={serverCount} />
        {create.isError ? (
          <ErrorMessage error={create.error} title="The rollout was not planned." />
        ) : null}
        <div className="form-actions">
          <Button type="button" variant="ghost" onClick={() => void navigate('/rollouts')}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={create.isPending}>
            Plan the rollout
          </Button>
        </div>
      </form>
    </>
  );
}
