import { describe, expect, it } from 'vitest';
import { previewable, previewKind } from './preview';

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? Array.from(p, (c) => c.charCodeAt(0)) : p)));

describe('preview kinds', () => {
  it('offers a preview for PDFs and images by name only', () => {
    expect(previewable('Ada_Lovelace_resume.PDF')).toBe(true);
    expect(previewable('headshot.jpeg')).toBe(true);
    expect(previewable('cv.docx')).toBe(false);
    expect(previewable('pdf')).toBe(false);
  });

  it('knows a file by its first bytes, as the core does, whatever its name says', () => {
    expect(previewKind(bytes('%PDF-1.7\n'))).toBe('application/pdf');
    expect(previewKind(bytes('\n\n  %PDF-1.4'))).toBe('application/pdf');
    expect(previewKind(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))).toBe('image/png');
    expect(previewKind(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(previewKind(bytes('GIF89a'))).toBe('image/gif');
    expect(previewKind(bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '))).toBe('image/webp');
    expect(previewKind(bytes('PK', [3, 4], 'word/document.xml'))).toBeNull();
    expect(previewKind(bytes(' '.repeat(1100), '%PDF-1.4'))).toBeNull();
    expect(previewKind(new Uint8Array())).toBeNull();
  });
});
