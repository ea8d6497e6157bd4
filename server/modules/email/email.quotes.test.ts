import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { htmlToText } from '../tickets/comment-text.ts';
import { REPLY_MARKER } from './email.inbound.ts';
import { stripQuotedHtml, stripQuotedText } from './email.quotes.ts';

describe('plain-text replies', () => {
  test('cut at the marker Haven puts on top of its mail', () => {
    assert.equal(
      stripQuotedText(`Thanks, that fixed it.\n\n${REPLY_MARKER}\n\nYour request was updated.`),
      'Thanks, that fixed it.',
    );
    assert.equal(stripQuotedText(`Thanks!\n\n> ${REPLY_MARKER}\n> Your request`), 'Thanks!');
  });

  test('attribution lines in English, German, French, Spanish and Dutch, also wrapped over two lines', () => {
    const cases = [
      'On Sat, Dec 5, 2026 at 10:00 AM Haven <support@acme.example> wrote:',
      'On Sat, Dec 5, 2026 at 10:00 AM Haven Support <\nsupport@acme.example> wrote:',
      'Am 05.12.2026 um 10:00 schrieb Haven <support@acme.example>:',
      'Le sam. 5 déc. 2026 à 10:00, Haven <support@acme.example> a écrit :',
      'El sáb, 5 dic 2026 a las 10:00, Haven (<support@acme.example>) escribió:',
      'Op za 5 dec. 2026 om 10:00 schreef Haven <support@acme.example>:',
    ];
    for (const line of cases) {
      assert.equal(
        stripQuotedText(`New words here.\n\n${line}\n> old words\n> more`),
        'New words here.',
        line,
      );
    }
  });

  test("Outlook's Original Message separator and From/Sent/To/Subject header block", () => {
    assert.equal(
      stripQuotedText('Please call me.\n\n-----Original Message-----\nFrom: Haven\nSent: today\nold text'),
      'Please call me.',
    );
    assert.equal(
      stripQuotedText(
        'See attached.\n\n________________________________\nFrom: Haven Support <support@acme.example>\nSent: Saturday, December 5, 2026 10:00\nTo: Casey <casey@customer.example>\nSubject: Re: Printer\n\nold text',
      ),
      'See attached.',
    );
    // A line that merely starts with "From:" is kept.
    assert.equal(stripQuotedText('From: my desk\nit still fails'), 'From: my desk\nit still fails');
  });

  test('trailing > quotes, -- signatures and "Sent from my iPhone" go; inline quotes with answers stay', () => {
    assert.equal(stripQuotedText('Yes.\n\n> Did it work?\n> Tell us'), 'Yes.');
    assert.equal(stripQuotedText('Yes.\n\n-- \nCasey\nACME Corp'), 'Yes.');
    assert.equal(stripQuotedText('Yes.\n\nSent from my iPhone'), 'Yes.');
    assert.equal(stripQuotedText('> Did it work?\nYes it did.'), '> Did it work?\nYes it did.');
  });

  test('when stripping would leave nothing, the whole text is kept', () => {
    assert.equal(stripQuotedText('> only a quote'), '> only a quote');
    assert.equal(stripQuotedText(`${REPLY_MARKER}\nstuff`), `${REPLY_MARKER}\nstuff`);
  });
});

describe('HTML replies', () => {
  const text = (html: string) => htmlToText(stripQuotedHtml(html));

  test('Gmail: .gmail_quote goes', () => {
    const html =
      '<div dir="ltr">Works now, thanks!</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Sat, Dec 5, 2026 Haven wrote:<br></div><blockquote class="gmail_quote">old</blockquote></div>';
    assert.equal(text(html), 'Works now, thanks!');
  });

  test('Apple Mail: blockquote type=cite goes', () => {
    const html =
      '<html><head><style>p{}</style></head><body><div>Here you go.</div><div><br><blockquote type="cite"><div>On 5 Dec 2026, at 10:00, Haven wrote:</div><div>old</div></blockquote></div></body></html>';
    assert.equal(text(html), 'Here you go.');
  });

  test('Thunderbird: .moz-cite-prefix and everything after it goes', () => {
    const html =
      '<p>Fine.</p><div class="moz-cite-prefix">On 05.12.26 10:00, Haven wrote:<br></div><blockquote type="cite" cite="mid:x">old</blockquote><p>more old</p>';
    assert.equal(text(html), 'Fine.');
  });

  test('Outlook: #appendonsend / #divRplyFwdMsg and everything after it go', () => {
    const html =
      '<div>Ok.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> Haven</div><div>old</div>';
    assert.equal(text(html), 'Ok.');
    assert.equal(text('<div>Ok 2.</div><hr><div id="divRplyFwdMsg">From: Haven</div><p>old</p>'), 'Ok 2.');
  });

  test('our marker, and a reply that is all quote is kept whole', () => {
    assert.equal(text(`<p>Got it.</p><p>${REPLY_MARKER}</p><p>Your request</p>`), 'Got it.');
    const allQuote = '<blockquote type="cite">only old</blockquote>';
    assert.equal(stripQuotedHtml(allQuote), allQuote);
  });
});
