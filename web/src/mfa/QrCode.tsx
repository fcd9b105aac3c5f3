import { useMemo } from 'react';
import { qrModules, qrPath } from './qr.ts';

const MARGIN = 4;

/** A QR code of `value`, as an SVG drawn in the page (scales crisply; dark on white whatever the theme). */
export function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const { path, extent } = useMemo(() => {
    const modules = qrModules(value);
    return { path: qrPath(modules, MARGIN), extent: modules.length + 2 * MARGIN };
  }, [value]);
  return (
    <svg className="qr" role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${extent} ${extent}`} shapeRendering="crispEdges">
      <rect width={extent} height={extent} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
