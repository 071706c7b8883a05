import { describe, expect, it, vi } from 'vitest';
import { applyFieldErrors } from './serverErrors.ts';

describe('applyFieldErrors', () => {
  it('sets each field path, focuses only the first, and returns the rest', () => {
    const setError = vi.fn();
    const rest = applyFieldErrors(
      {
        imageURL: ['Bad URL.'],
        'httpHeaders.0.value': ['One line only.', 'Second.'],
        _form: ['Whole form problem.'],
      },
      setError,
    );
    expect(setError).toHaveBeenCalledWith(
      'imageURL',
      { type: 'server', message: 'Bad URL.' },
      { shouldFocus: true },
    );
    expect(setError).toHaveBeenCalledWith(
      'httpHeaders.0.value',
      { type: 'server', message: 'One line only. Second.' },
      { shouldFocus: false },
    );
    expect(rest).toEqual(['Whole form problem.']);
  });
});
