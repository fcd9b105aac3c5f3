import qrcode from 'qrcode-generator';

/** The QR code of `text` as rows of modules (true: dark), error correction M (15 %), the smallest version that fits. */
export function qrModules(text: string): boolean[][] {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  return Array.from({ length: n }, (_, row) => Array.from({ length: n }, (_, col) => qr.isDark(row, col)));
}

/**
 * One SVG path drawing the dark modules, in module units, offset by `margin` (the quiet zone: 4 modules, ISO/IEC 18004
 * §6.3.8). Each horizontal run of dark modules is one rectangle, so the path stays short. Drawn by React as an
 * element: no markup string is injected into the page (the CSP allows no inline style either).
 */
export function qrPath(modules: boolean[][], margin = 4): string {
  const parts: string[] = [];
  modules.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) {
      if (!row[x]) continue;
      let run = 1;
      while (row[x + run]) run++;
      parts.push(`M${x + margin} ${y + margin}h${run}v1h-${run}z`);
      x += run - 1;
    }
  });
  return parts.join('');
}
