/**
 * The account's brand colour as the workspace's accent, in both themes, adjusted so text and buttons drawn in
 * it keep WCAG AA contrast (4.5:1) whatever colour an admin picks: darkened for the light theme, lightened for
 * the dark one, only as far as needed.
 */
function channels(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function mix(hex: string, toward: string, amount: number): string {
  const a = channels(hex);
  const b = channels(toward);
  return `#${a
    .map((c, i) => Math.round(c + (b[i]! - c) * amount))
    .map((c) => c.toString(16).padStart(2, '0'))
    .join('')}`;
}

/** `hex` moved toward `toward` in small steps until it reaches `ratio` against `background`. */
export function readable(hex: string, background: string, toward: string, ratio = 4.5): string {
  for (let step = 0; step <= 20; step++) {
    const candidate = mix(hex, toward, step / 20);
    if (contrast(candidate, background) >= ratio) return candidate;
  }
  return toward;
}

// The lightest surfaces the accent is drawn on (or under white text) in each theme.
const LIGHT_SURFACE = '#eef0f4';
const DARK_SURFACE = '#252b35';

export function applyBrand(color: string | null | undefined): void {
  const root = document.documentElement.style;
  if (!color || !/^#[0-9a-f]{6}$/i.test(color)) {
    root.removeProperty('--brand');
    root.removeProperty('--brand-dark');
    return;
  }
  root.setProperty('--brand', readable(color, LIGHT_SURFACE, '#000000'));
  root.setProperty('--brand-dark', readable(color, DARK_SURFACE, '#ffffff'));
}
