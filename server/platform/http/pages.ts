/** Server-rendered pages: escaping and one shared layout. Everything interpolated goes through `escapeHtml`. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Pages carry no scripts, so the policy allows none. */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

const STYLE = `
:root{color-scheme:light dark;--fg:#1d2330;--muted:#5b6475;--bg:#f5f6f8;--card:#fff;--accent:#1f5fbf;--err:#b42318;--border:#d0d5dd}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8ec;--muted:#a4acba;--bg:#12151b;--card:#1c2028;--accent:#7aa7ff;--err:#ff8a80;--border:#394150}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:28rem;margin:8vh auto;padding:2rem;background:var(--card);border:1px solid var(--border);border-radius:12px}
main.wide{max-width:48rem}h1{font-size:1.5rem;margin:0 0 .25rem}p.lead{color:var(--muted);margin:0 0 1.5rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}input{width:100%;padding:.6rem .7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--border);border-radius:8px}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.hint{color:var(--muted);font-size:.875rem;margin:.25rem 0 0}
button{margin-top:1.5rem;width:100%;padding:.7rem;font:inherit;font-weight:600;color:#fff;background:var(--accent);border:0;border-radius:8px;cursor:pointer}
button.secondary{background:transparent;color:var(--accent);border:1px solid var(--accent);width:auto;padding:.4rem 1rem;margin:0}
.error{color:var(--err);font-weight:600}.field-error{color:var(--err);font-size:.875rem;margin:.25rem 0 0}
a{color:var(--accent)}header.bar{display:flex;justify-content:space-between;align-items:center;gap:1rem;margin-bottom:1.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{color:var(--muted)}dd{margin:0}
`;

export function renderPage(title: string, body: string, options: { wide?: boolean } = {}): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Haven</title><link rel="icon" href="data:,"><style>${STYLE}</style></head>
<body><main${options.wide ? ' class="wide"' : ''}>${body}</main></body></html>`;
}

export function renderErrorPage(title: string, message: string): string {
  return renderPage(
    title,
    `<h1>${escapeHtml(title)}</h1><p class="lead">${escapeHtml(message)}</p><p><a href="/">Back to Haven</a></p>`,
  );
}

/** A labelled input with its error (if any) tied to it for screen readers. */
export function field(options: {
  name: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  hint?: string;
  error?: string;
  required?: boolean;
}): string {
  const id = `f-${options.name}`;
  const described = [options.hint ? `${id}-hint` : '', options.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return `<label for="${id}">${escapeHtml(options.label)}</label>
<input id="${id}" name="${escapeHtml(options.name)}" type="${options.type ?? 'text'}"${options.value ? ` value="${escapeHtml(options.value)}"` : ''}${options.autocomplete ? ` autocomplete="${options.autocomplete}"` : ''}${options.required === false ? '' : ' required'}${described ? ` aria-describedby="${described}"` : ''}${options.error ? ' aria-invalid="true"' : ''}>
${options.hint ? `<p class="hint" id="${id}-hint">${escapeHtml(options.hint)}</p>` : ''}${options.error ? `<p class="field-error" id="${id}-error">${escapeHtml(options.error)}</p>` : ''}`;
}
