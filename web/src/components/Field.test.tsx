import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { Field } from './Field.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import { toApiError } from '../../../client/src/index.ts';

const noop = () => {};

describe('accessible form parts', () => {
  it('a field has a real <label for>, and its hint and error are described-by', () => {
    const html = renderToStaticMarkup(<Field label="Email" name="email" type="email" value="x" onChange={noop} required hint="Your work address" error="Not valid" />);
    const id = /<input[^>]* id="([^"]+)"/.exec(html)![1]!;
    expect(html).toContain(`<label for="${id}">Email</label>`);
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain(`aria-describedby="${id}-hint ${id}-error"`);
    expect(html).toContain(`<p class="field-error" id="${id}-error">Not valid</p>`);
  });

  it('an optional field says so; a valid one is not marked invalid', () => {
    const html = renderToStaticMarkup(<Field label="Full name" name="full_name" value="" onChange={noop} />);
    expect(html).toContain('(optional)');
    expect(html).not.toContain('aria-invalid');
    expect(html).not.toContain('aria-describedby');
  });

  it('an error is an alert (announced at once), focusable, in the user\'s words', () => {
    const html = renderToStaticMarkup(<ErrorAlert error={toApiError(400, { detail: 'LOGIN_BAD_CREDENTIALS' })} />);
    expect(html).toMatch(/^<div class="alert alert-error" role="alert" tabindex="-1"><p>Wrong email/);
    expect(renderToStaticMarkup(<ErrorAlert error={null} />)).toBe('');
  });
});
