import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { QrCode } from './QrCode.tsx';
import { RecoveryCodesPanel } from '../security/RecoveryCodesPanel.tsx';

const noop = () => {};

describe('security parts, rendered', () => {
  it('the QR code is an SVG image with a name, a white quiet zone and one path of dark modules (no markup string injected)', () => {
    const html = renderToStaticMarkup(<QrCode value="otpauth://totp/Gatehouse:ada?secret=JBSWY3DPEHPK3PXP&issuer=Gatehouse" label="QR code for ada" />);
    expect(html).toMatch(/^<svg class="qr" role="img" aria-label="QR code for ada" width="200" height="200" viewBox="0 0 (\d+) \1"/);
    expect(html).toContain('<rect width=');
    expect(html.match(/<path /g)).toHaveLength(1);
    expect(html).not.toContain('style=');
  });

  it('new recovery codes are listed once each, with copy, download and done', () => {
    const html = renderToStaticMarkup(<RecoveryCodesPanel codes={['aaaa-bbbb-cccc', 'dddd-eeee-ffff']} account="ada@example.com" onDone={noop} />);
    expect(html.match(/<li class="mono">/g)).toHaveLength(2);
    expect(html).toContain('aaaa-bbbb-cccc');
    expect(html).toContain('they are shown only this once');
    for (const label of ['Copy', 'Download', 'I have saved them']) expect(html).toContain(`>${label}</button>`);
  });
});
