import { FormField, FormFieldError, FormFieldHelper, FormFieldLabel } from '@ovhcloud/ods-react';
import type { ReactNode } from 'react';

/**
 * Label, control, helper and error of one form field. ODS's FormField links them: the control
 * gets the id, `aria-invalid` and an `aria-describedby` naming the helper and the error.
 */
export function Field({
  id,
  label,
  error,
  hint,
  required = false,
  children,
}: {
  id: string;
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  /** Marks the label; the control itself carries `aria-required` for assistive technology. */
  required?: boolean;
  children: ReactNode;
}) {
  return (
    <FormField id={id} invalid={error !== undefined} className="field">
      {/* The label is the exact accessible name DESIGN.md fixes; "optional" goes in the hint, and
          the required mark is drawn by CSS, silent to screen readers (the control says it). */}
      <FormFieldLabel className={required ? 'field-label--required' : undefined}>
        {label}
      </FormFieldLabel>
      {children}
      {hint ? (
        <FormFieldHelper id={`${id}-hint`} className="field-hint">
          {hint}
        </FormFieldHelper>
      ) : null}
      <FormFieldError id={`${id}-error`} className="field-error">
        {error}
      </FormFieldError>
    </FormField>
  );
}
