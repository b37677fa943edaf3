// What the in-app preview can show. The core sends bytes only for PDFs and images, known by their
// first bytes; the UI reads the same signatures to pick the renderer (a file's name can lie).

export type PreviewKind = 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

const EXTENSIONS = ['pdf', 'png', 'jpg', 'jpeg', 'gif', 'webp'];

/** Whether a file is worth offering a preview for, by its name (the core has the last word). */
export function previewable(filename: string): boolean {
  const ext = filename.toLowerCase().split('.').pop() ?? '';
  return filename.includes('.') && EXTENSIONS.includes(ext);
}

const starts = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** The kind of file `bytes` hold, as the core's `preview_kind` decides it; null: none we show. */
export function previewKind(bytes: Uint8Array): PreviewKind | null {
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts(bytes, ascii('GIF87a')) || starts(bytes, ascii('GIF89a'))) return 'image/gif';
  if (starts(bytes, ascii('RIFF')) && starts(bytes, ascii('WEBP'), 8)) return 'image/webp';
  const pdf = ascii('%PDF-');
  const head = Math.min(bytes.length, 1024) - pdf.length;
  for (let i = 0; i <= head; i++) if (starts(bytes, pdf, i)) return 'application/pdf';
  return null;
}
