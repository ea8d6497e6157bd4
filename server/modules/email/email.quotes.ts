import sanitizeHtml from 'sanitize-html';
import { htmlToText } from '../tickets/comment-text.ts';
import { REPLY_MARKER } from './email.inbound.ts';

/**
 * A reply's new text without the history it quotes and the sender's signature: the comment shows what the
 * customer wrote now; the whole message stays in `inbound_emails.raw` (the comment's original email).
 * Haven's own rules rather than a heuristic library: each cut point is one a mail client writes (the marker
 * Haven puts on top of its mail, attribution lines, Outlook's header blocks, `>` quoting, `-- ` signatures), so
 * nothing the customer wrote is taken for a greeting or a signature.
 */

/** Attribution lines: "On … wrote:" and the German, French, Spanish and Dutch forms. */
const ATTRIBUTION = [
  /^\s*On\b.{0,300}\bwrote\s*:\s*$/i,
  /^\s*Am\b.{0,300}\bschrieb\b.{0,300}:\s*$/i,
  /^\s*Le\b.{0,300}\ba\s+écrit\s*:\s*$/i,
  /^\s*El\b.{0,300}\bescribió\s*:\s*$/i,
  /^\s*Op\b.{0,300}\bschreef\b.{0,300}:\s*$/i,
];
const ORIGINAL_MESSAGE =
  /^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Oorspronkelijk bericht)\s*-{2,}\s*$/i;
const HEADER_FROM = /^\s*\*?(From|Von|De|Van)\s*:\*?\s*\S/i;
const HEADER_NEXT =
  /^\s*\*?(Sent|Date|To|Subject|Gesendet|Datum|An|Betreff|Envoyé|À|Objet|Enviado|Para|Asunto|Verzonden|Aan|Onderwerp)\s*:/i;
const SIGNATURE = /^-- ?$/;
const MOBILE_SIGNATURE =
  /^\s*(Sent from my (iPhone|iPad|Android|mobile device|Galaxy)|Sent from (Mail|Outlook) for (Windows|iOS|Android)|Get Outlook for (iOS|Android))\b.*$/i;

function isAttribution(lines: string[], i: number): boolean {
  const line = lines[i]!;
  if (ATTRIBUTION.some((re) => re.test(line))) return true;
  // Gmail wraps a long attribution over two lines ("On …, Name <" / "address> wrote:").
  const next = lines[i + 1];
  return (
    next !== undefined &&
    /^\s*(On|Am|Le|El|Op)\b/i.test(line) &&
    ATTRIBUTION.some((re) => re.test(`${line} ${next}`))
  );
}

function isHeaderBlock(lines: string[], i: number): boolean {
  if (!HEADER_FROM.test(lines[i]!)) return false;
  const following = lines.slice(i + 1, i + 6).filter((l) => HEADER_NEXT.test(l));
  return following.length >= 2;
}

/** Where the quoted history starts in a plain-text body, or the length when it has none. */
function historyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.includes(REPLY_MARKER)) return i;
    if (isAttribution(lines, i) || ORIGINAL_MESSAGE.test(line) || isHeaderBlock(lines, i)) return i;
    // Outlook draws a line of underscores above its header block.
    if (/^\s*_{10,}\s*$/.test(line)) {
      const next = lines.slice(i + 1).find((l) => l.trim());
      if (next && HEADER_FROM.test(next)) return i;
    }
  }
  return lines.length;
}

export function stripQuotedText(text: string): string {
  const full = text.replace(/\r\n?/g, '\n').trim();
  let lines = full.split('\n');
  lines = lines.slice(0, historyStart(lines));
  const sig = lines.findIndex((l) => SIGNATURE.test(l));
  if (sig >= 0) lines = lines.slice(0, sig);
  // A trailing block quoted with `>` (and the blank lines around it) is history too.
  let end = lines.length;
  while (end > 0 && (lines[end - 1]!.trim() === '' || /^\s*>/.test(lines[end - 1]!))) end--;
  lines = lines.slice(0, end);
  while (lines.length && (lines.at(-1)!.trim() === '' || MOBILE_SIGNATURE.test(lines.at(-1)!))) lines.pop();
  const kept = lines.join('\n').trim();
  return kept || full;
}

/** Elements mail clients wrap quoted history in; they go with everything inside them. */
function isQuoteElement(frame: sanitizeHtml.IFrame): boolean {
  const classes = (frame.attribs.class ?? '').split(/\s+/);
  if (classes.includes('gmail_quote') || classes.includes('gmail_quote_container')) return true;
  if (frame.tag === 'blockquote' && frame.attribs.type?.toLowerCase() === 'cite') return true;
  return false;
}

/** Elements after which everything is history: Thunderbird's attribution, Outlook's reply header, our marker. */
const HISTORY_STARTS = [
  /<[a-z][^>]*\bclass\s*=\s*["']?[^"'>]*\bmoz-cite-prefix\b[^>]*>/i,
  /<[a-z][^>]*\bid\s*=\s*["']?(appendonsend|divRplyFwdMsg)\b[^>]*>/i,
];

/** The new part of an HTML reply (not yet sanitized for storage: the tickets module does that on write). */
export function stripQuotedHtml(html: string): string {
  let cut = html.replace(/<head\b[\s\S]*?<\/head>/i, '');
  const starts = [...HISTORY_STARTS.map((re) => re.exec(cut)?.index ?? -1), cut.indexOf(REPLY_MARKER)].filter(
    (i) => i >= 0,
  );
  if (starts.length) cut = cut.slice(0, Math.min(...starts));
  const stripped = sanitizeHtml(cut, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true,
    exclusiveFilter: isQuoteElement,
  });
  return htmlToText(stripped) || /<img\b/i.test(stripped) ? stripped : html;
}
