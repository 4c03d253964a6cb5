/**
 * A picture of an image that must not be handed out as it is: an SVG (or any other image type that
 * a browser opens as a document, running its scripts) drawn into a PNG. The image is decoded from a
 * `data:` URL (a document there has an opaque origin, and browsers do not open `data:` URLs as
 * pages) by an `<img>`, which runs no script and loads nothing else; what is shown and what a person
 * can open is the PNG only.
 */

/** An SVG larger than this is not drawn (the element shows a card instead). */
export const MAX_RASTER_SOURCE_BYTES = 32 * 1024 * 1024;
/** The PNG's longer side at most, in pixels (scaled down to fit). */
export const MAX_RASTER_SIDE = 4096;
/** The size of an image that has none of its own (an SVG without width and height), as for `<img>`. */
const DEFAULT_SIZE = { width: 300, height: 150 };

function dataUrlOf(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string); // readAsDataURL: a string
    reader.onerror = () => reject(reader.error ?? new Error('the image could not be read'));
    reader.readAsDataURL(blob);
  });
}

/** `blob` (of `type`, such as `image/svg+xml`) as a PNG; rejects when the browser cannot draw it. */
export async function rasterise(blob: Blob, type: string): Promise<Blob> {
  if (blob.size > MAX_RASTER_SOURCE_BYTES) throw new Error(`the image is too large to show here (${blob.size} bytes)`);
  const image = new Image();
  image.src = await dataUrlOf(blob.slice(0, blob.size, type));
  await image.decode();
  let width = image.naturalWidth;
  let height = image.naturalHeight;
  if (width === 0 || height === 0) ({ width, height } = DEFAULT_SIZE);
  const scale = Math.min(1, MAX_RASTER_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d');
  if (!context) throw new Error('this browser cannot draw the image');
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  image.removeAttribute('src');
  return new Promise((resolve, reject) => canvas.toBlob((png) => (png ? resolve(png) : reject(new Error('this browser cannot draw the image'))), 'image/png'));
}
