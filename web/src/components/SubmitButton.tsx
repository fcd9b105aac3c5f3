import type { ComponentProps } from 'react';

/**
 * A button that shows its work: while `pending` it says so (and aria-busy), without being disabled, so focus
 * stays on it; useAction ignores the extra clicks.
 */
export function SubmitButton({ pending, pendingText, children, className = 'button primary', type = 'submit', ...rest }:
  ComponentProps<'button'> & { pending: boolean; pendingText: string }) {
  return (
    <button type={type} className={className} aria-busy={pending || undefined} aria-disabled={pending || undefined} {...rest}>
      {pending ? pendingText : children}
    </button>
  );
}
