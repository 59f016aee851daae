import JSZip from 'jszip';
import { DOMParser } from 'linkedom';
import type { VFile } from 'vfile';
import { report } from '../pipeline/messages.ts';
import { formatBytes } from '../pipeline/read.ts';

/** Limits on a .docx, which is untrusted input like any brief. */
export interface DocxLimits {
  /** Largest total of the unpacked parts, in bytes. */
  maxUnpackedBytes: number;
  /** Largest image, in bytes (limits.max_image_bytes). */
  maxImageBytes: number;
}

/** A .docx package opened safely: its parts unpacked within the limits, its XML parsed on request. */
export interface DocxPackage {
  /** The package itself, with every part already checked: mammoth reads it from here. */
  bytes: Buffer;
  /** A part's XML as a document (linkedom), or undefined when the part is not there. */
  xml(path: string): Document | undefined;
  /** Sizes of the media parts (images), by path. */
  media: Map<string, number>;
}

/** Parts are never larger than this many times their compressed size in a real document. */
const MAX_RATIO = 200;
const MAX_PARTS = 5000;

/**
 * Opens a .docx (a zip of XML parts) without trusting it: too many parts, parts that unpack past
 * the limit or far beyond their packed size (a zip bomb), images over the image limit and
 * relationships to outside files (linked images, templates, objects: fetched by Word, never by
 * brief) are errors on the file. Every part is unpacked here with a running count, so a part
 * whose header lies about its size is stopped at the limit, not after filling memory.
 */
export async function openDocx(bytes: Buffer, file: VFile, limits: DocxLimits): Promise<DocxPackage | undefined> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes, { checkCRC32: false });
  } catch (error) {
    report(file, 'error', `The file is not a Word document (.docx): ${(error as Error).message}. Save it from Word as "Word Document (.docx)".`, 'import-docx', { line: 1, column: 1 });
    return undefined;
  }
  const parts = Object.values(zip.files).filter((entry) => !entry.dir);
  if (parts.length > MAX_PARTS) {
    report(file, 'error', `The document has ${parts.length} parts, more than a Word document ever has (${MAX_PARTS}); it is not imported.`, 'import-zip-bomb', { line: 1, column: 1 });
    return undefined;
  }
  const texts = new Map<string, string>();
  const media = new Map<string, number>();
  let total = 0;
  for (const part of parts) {
    // The sizes the zip declares, first: most bombs say what they are.
    const declared = (part as unknown as { _data?: { uncompressedSize?: number; compressedSize?: number } })._data;
    const packed = declared?.compressedSize ?? 0;
    const isMedia = part.name.startsWith('word/media/');
    const cap = isMedia ? limits.maxImageBytes : Math.min(limits.maxUnpackedBytes, Math.max(1024 * 1024, packed * MAX_RATIO));
    const size = await unpackedSize(part, cap + 1);
    total += size;
    if (isMedia && size > limits.maxImageBytes) {
      report(file, 'error', `The image "${part.name.slice('word/media/'.length)}" is over ${formatBytes(limits.maxImageBytes)} unpacked (limits.max_image_bytes): make it smaller in Word (Picture Format → Compress Pictures), or raise the limit.`, 'import-image-size', { line: 1, column: 1 });
      return undefined;
    }
    if (size > cap || total > limits.maxUnpackedBytes) {
      report(file, 'error', `The part "${part.name}" unpacks to more than ${formatBytes(Math.min(cap, limits.maxUnpackedBytes))} from ${formatBytes(packed)}: the file looks like a zip bomb and is not imported.`, 'import-zip-bomb', { line: 1, column: 1 });
      return undefined;
    }
    if (isMedia) media.set(part.name, size);
    else if (/\.(xml|rels)$/i.test(part.name)) texts.set(part.name, await part.async('string'));
  }
  const parsed = new Map<string, Document>();
  const xml = (path: string) => {
    const text = texts.get(path);
    if (text === undefined) return undefined;
    let doc = parsed.get(path);
    if (!doc) parsed.set(path, (doc = new DOMParser().parseFromString(text, 'text/xml') as unknown as Document));
    return doc;
  };
  if (!checkRelationships(xml, texts, file)) return undefined;
  return { bytes, xml, media };
}

/** Unpacks one part, counting bytes, and stops once past `stopAt`. */
async function unpackedSize(part: JSZip.JSZipObject, stopAt: number): Promise<number> {
  // internalStream is JSZip's streaming reader: chunks as they inflate, pausable.
  const stream = (part as unknown as { internalStream(type: 'uint8array'): JSZipStream }).internalStream('uint8array');
  return new Promise((resolve, reject) => {
    let size = 0;
    stream
      .on('data', (chunk: Uint8Array) => {
        size += chunk.length;
        if (size >= stopAt) {
          stream.pause();
          resolve(size);
        }
      })
      .on('error', (error: Error) => reject(error))
      .on('end', () => resolve(size))
      .resume();
  });
}

interface JSZipStream {
  on(event: string, listener: (...args: never[]) => void): JSZipStream;
  pause(): JSZipStream;
  resume(): JSZipStream;
}

/**
 * Relationships that point outside the package (TargetMode="External") other than hyperlinks:
 * a linked picture, an attached template, a linked object. Word would fetch them when opening the
 * file; brief refuses the document and says what it points to.
 */
function checkRelationships(xml: (path: string) => Document | undefined, texts: Map<string, string>, file: VFile): boolean {
  for (const path of texts.keys()) {
    if (!path.endsWith('.rels')) continue;
    for (const relationship of Array.from(xml(path)?.getElementsByTagName('Relationship') ?? [])) {
      if (relationship.getAttribute('TargetMode') !== 'External') continue;
      const type = (relationship.getAttribute('Type') ?? '').split('/').pop() ?? '';
      if (type === 'hyperlink') continue;
      const target = relationship.getAttribute('Target') ?? '';
      report(file, 'error', `The document points to an outside file (${type}: "${target.slice(0, 100)}"), which Word would fetch when opening it; brief does not. Insert the picture or content into the document itself (for a picture: Insert → Pictures → This Device), save, and import again.`, 'import-external', { line: 1, column: 1 });
      return false;
    }
  }
  return true;
}
