import { useFormField } from '@ovhcloud/ods-react';
import type { ComponentPropsWithRef } from 'react';

/**
 * A native <select> dressed with ODS tokens. ODS's Select is a custom listbox whose value lives
 * in a hidden control; a native select keeps the label, keyboard use, form registration and
 * `selectOption` in tests working with no glue, and takes its id and description from FormField.
 */
export function NativeSelect({ className, ref, ...props }: ComponentPropsWithRef<'select'>) {
  const field = useFormField();
  const invalid = field.invalid === true;
  return (
    <select
      ref={ref}
      id={props.id ?? field.id}
      aria-invalid={invalid || undefined}
      aria-describedby={props['aria-describedby'] ?? (field.ariaDescribedBy || undefined)}
      className={`native-select${className ? ` ${className}` : ''}`}
      {...props}
    />
  );
}
