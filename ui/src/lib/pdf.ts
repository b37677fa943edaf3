// PDF pages drawn to canvases with pdf.js: WebKitGTK has no PDF viewer of its own. Loaded only
// when a PDF is previewed, with its worker served from the app itself (the CSP allows 'self').
// A PDF's scripts, forms and links are never run or followed: pages are painted, nothing more.

/** The most pages drawn: a resume is a few; a huge file is better opened with the system app. */
export const MAX_PAGES = 20;

export interface RenderedPdf {
  /** Pages in the document. */
  pages: number;
  /** Pages drawn (at most `MAX_PAGES`). */
  drawn: number;
  /** Stops the rendering and frees the document. */
  destroy(): void;
}

/** Draws the pages of `data` into `container`, one canvas each, `width` CSS pixels wide. */
export async function renderPdf(data: Uint8Array, container: HTMLElement, width: number): Promise<RenderedPdf> {
  const pdfjs = await import('pdfjs-dist');
  const worker = await import('pdfjs-dist/build/pdf.worker.min.mjs?url');
  pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
  // pdf.js takes ownership of the buffer it is given: hand it a copy.
  const task = pdfjs.getDocument({ data: data.slice(), enableXfa: false });
  const doc = await task.promise;
  let stopped = false;
  const drawn = Math.min(doc.numPages, MAX_PAGES);
  const ratio = window.devicePixelRatio || 1;
  for (let n = 1; n <= drawn && !stopped; n++) {
    const page = await doc.getPage(n);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: (width / base.width) * ratio });
    const canvas = document.createElement('canvas');
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.style.width = `${width}px`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Page ${n} of ${doc.numPages}`);
    container.append(canvas);
    await page.render({ canvas, viewport }).promise;
  }
  return {
    pages: doc.numPages,
    drawn,
    destroy() {
      stopped = true;
      void task.destroy();
    },
  };
}
