/** The console users the e2e run signs in as (written to the users file the BFF reads). */
export interface TestUser {
  username: string;
  password: string;
  role: 'operator' | 'viewer';
}

export const OPERATOR: TestUser = {
  username: 'e2e-operator',
  password: 'operator-password-for-e2e-only',
  role: 'operator',
};

export const VIEWER: TestUser = {
  username: 'e2e-viewer',
  password: 'viewer-password-for-e2e-only',
  role: 'viewer',
};

/** Operators of one test each: the BFF limits installs per user and minute. */
export const TEST_OPERATOR_COUNT = 80;

export function testOperator(index: number): TestUser {
  return {
    username: `e2e-operator-${index}`,
    password: `operator-${index}-password-for-e2e-only`,
    role: 'operator',
  };
}

export const TEST_USERS: readonly TestUser[] = [
  OPERATOR,
  VIEWER,
  ...Array.from({ length: TEST_OPERATOR_COUNT }, (_, index) => testOperator(index)),
];
