import path from 'node:path';
import mime from 'mime-types';
import sharp from 'sharp';
import { invalid } from '../../platform/http/errors.ts';

/** What Haven needs to know about an uploaded file before storing it. */

/**
 * Extensions Windows (and most mail gateways) treat as programs or scripts that run when opened: a help
 * desk passing them from customers to agents is a malware channel. Archives and documents stay allowed.
 */
// biome-ignore format: one short list reads better on two lines
export const BLOCKED_EXTENSIONS = new Set([
  'exe', 'com', 'scr', 'pif', 'bat', 'cmd', 'msi', 'msp', 'cpl', 'hta',
  'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'ps1', 'reg', 'lnk', 'jar',
]);

/** Images Haven thumbnails, and the only types it ever lets a browser show inline. */
const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};
const INLINE_SAFE = new Set(Object.values(IMAGE_TYPES));

/** Content types clients send when they do not know (node-zendesk sends `application/json` for files). */
const UNINFORMATIVE_TYPES = new Set([
  'application/binary',
  'application/octet-stream',
  'application/json',
  'application/x-www-form-urlencoded',
]);

const THUMBNAIL_SIZE = 80;
/** Decoding stops above this many pixels (a small file can claim enormous dimensions). */
const MAX_IMAGE_PIXELS = 100_000_000;

/**
 * The name to store: its last path segment (clients send `C:\Users\x\a.png`), without control characters,
 * at most 255 characters. A blank name is the client's error.
 */
export function cleanFileName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes
  const name = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (!name) throw invalid('filename', 'Filename: cannot be blank', 'BlankValue');
  if (name.length <= 255) return name;
  const ext = path.extname(name).slice(0, 20);
  return name.slice(0, 255 - ext.length) + ext;
}

/** Refuses programs by name (`invoice.pdf.exe`, `run.bat.`) and Windows/Linux executables by content. */
export function assertAllowed(fileName: string, bytes: Buffer): void {
  const ext = path
    .extname(fileName.replace(/[.\s]+$/, ''))
    .slice(1)
    .toLowerCase();
  if (BLOCKED_EXTENSIONS.has(ext)) {
    throw invalid(
      'filename',
      `Filename: .${ext} files cannot be uploaded, as they run programs`,
      'InvalidValue',
    );
  }
  if (isExecutable(bytes)) {
    throw invalid('file', 'File: programs cannot be uploaded', 'InvalidValue');
  }
}

/** A PE (`MZ` … `PE\0\0` at the offset the DOS header names) or ELF binary. */
function isExecutable(bytes: Buffer): boolean {
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x7f454c46) return true;
  if (bytes.length < 0x40 || bytes.toString('latin1', 0, 2) !== 'MZ') return false;
  const pe = bytes.readUInt32LE(0x3c);
  return pe + 4 <= bytes.length && bytes.toString('latin1', pe, pe + 4) === 'PE\0\0';
}

/**
 * The content type: from the file name (Zendesk clients send the raw bytes under whatever Content-Type
 * their HTTP library picked), else the request's own type when it says something, else octet-stream.
 */
export function contentTypeFor(fileName: string, declared: string | undefined): string {
  const byName = mime.lookup(fileName);
  if (byName) return byName;
  const type = declared?.split(';')[0]?.trim().toLowerCase();
  if (type && /^[a-z]+\/[a-z0-9.+-]+$/.test(type) && !UNINFORMATIVE_TYPES.has(type)) return type;
  return 'application/octet-stream';
}

export interface ImageFacts {
  /** The format the bytes really are, which wins over the name. */
  contentType: string;
  width: number;
  height: number;
  thumbnail: { bytes: Buffer; contentType: string; width: number; height: number };
}

/** PNG, JPEG, GIF or WebP by their first bytes, so nothing else (SVG, TIFF …) ever reaches the decoder. */
function looksLikeImage(b: Buffer): boolean {
  return (
    b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) ||
    (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) ||
    b.toString('latin1', 0, 4) === 'GIF8' ||
    (b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
  );
}

/**
 * For PNG, JPEG, GIF and WebP files, whatever their name: dimensions (as displayed, EXIF rotation applied)
 * and an 80-pixel thumbnail. Anything else, or an image that does not decode, is null: a plain file.
 */
export async function inspectImage(bytes: Buffer): Promise<ImageFacts | null> {
  if (!looksLikeImage(bytes)) return null;
  const options = { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' as const };
  try {
    const meta = await sharp(bytes, options).metadata();
    const contentType = meta.format ? IMAGE_TYPES[meta.format] : undefined;
    if (!contentType) return null;
    const jpeg = meta.format === 'jpeg';
    const image = sharp(bytes, options)
      .autoOrient()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true });
    const out = await (jpeg ? image.jpeg({ quality: 80 }) : image.png()).toBuffer({
      resolveWithObject: true,
    });
    return {
      contentType,
      width: meta.autoOrient.width,
      height: meta.autoOrient.height,
      thumbnail: {
        bytes: out.data,
        contentType: jpeg ? 'image/jpeg' : 'image/png',
        width: out.info.width,
        height: out.info.height,
      },
    };
  } catch {
    return null;
  }
}

/** Zendesk names a thumbnail after its image: `photo.jpg` → `photo_thumb.jpg`. */
export function thumbnailName(fileName: string, contentType: string): string {
  const ext = contentType === 'image/jpeg' ? path.extname(fileName) || '.jpg' : '.png';
  const stem = fileName.slice(0, fileName.length - path.extname(fileName).length) || 'image';
  return `${stem}_thumb${ext}`;
}

/** Only decoded raster images may be shown inline; everything else (HTML, SVG, PDF …) is downloaded. */
export function servedInline(contentType: string, width: number | null): boolean {
  return width !== null && INLINE_SAFE.has(contentType);
}
