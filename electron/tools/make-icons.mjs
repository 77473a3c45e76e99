#!/usr/bin/env node
// Draws Hookscope's icon set with no image tools: a green rounded square with a white magnifier ring
// (the "scope") whose handle ends in a hook. Writes what electron-builder looks for in build/:
//   build/icon.png (1024×1024, also the source electron-builder converts when it needs to)
//   build/icons/<n>x<n>.png (Linux: 16 … 512), build/icon.ico (Windows: PNG entries), build/icon.icns (macOS)
// (the tray keeps its own embedded 16×16 PNG in electron/main/tray.ts).
//
// Usage: node electron/tools/make-icons.mjs [--out DIR]   (the output is committed; rerun after a change)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- PNG encoding (RGBA, 8 bit)

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- drawing (unit square, supersampled)

const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
function roundedSquare(x, y, r) { // signed distance, square [0.04, 0.96]
  const qx = Math.abs(x - 0.5) - (0.46 - r), qy = Math.abs(y - 0.5) - (0.46 - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}
function segment(x, y, ax, ay, bx, by) {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const h = clamp((px * dx + py * dy) / (dx * dx + dy * dy), 0, 1);
  return Math.hypot(px - dx * h, py - dy * h);
}
/** The colour at (x, y) in the unit square, or null outside the icon. */
function shade(x, y) {
  if (roundedSquare(x, y, 0.2) > 0) return null;
  // background: green, lighter at the top
  const t = y;
  let c = [31 + (14 - 31) * t, 157 + (107 - 157) * t, 106 + (71 - 106) * t];
  const ring = Math.abs(Math.hypot(x - 0.44, y - 0.42) - 0.2) - 0.045;
  const handle = segment(x, y, 0.585, 0.565, 0.72, 0.70) - 0.05;
  // the hook: a half circle under the handle's end, opening upwards
  const hd = Math.hypot(x - 0.66, y - 0.76);
  const hook = y > 0.76 ? Math.abs(hd - 0.06) - 0.03 : Infinity;
  const shank = segment(x, y, 0.72, 0.70, 0.72, 0.76) - 0.03;
  const barb = segment(x, y, 0.60, 0.76, 0.60, 0.72) - 0.03;
  if (Math.min(ring, handle, hook, shank, barb) < 0) c = [255, 255, 255];
  // a dot in the lens: the webhook that arrived
  else if (Math.hypot(x - 0.44, y - 0.42) < 0.06) c = [190, 242, 215];
  return c;
}
export function drawIcon(size) {
  const ss = size <= 64 ? 4 : 2;
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = shade((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a++;
        }
      }
      const i = (py * size + px) * 4;
      if (a) { out[i] = Math.round(r / a); out[i + 1] = Math.round(g / a); out[i + 2] = Math.round(b / a); }
      out[i + 3] = Math.round((255 * a) / (ss * ss));
    }
  }
  return encodePng(size, out);
}

// ---------------------------------------------------------------- containers

/** ICO with PNG entries (Windows Vista and later read these). */
export function encodeIco(pngs) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); header.writeUInt16LE(1, 2); header.writeUInt16LE(pngs.length, 4);
  let offset = 6 + 16 * pngs.length;
  const entries = pngs.map(({ size, png }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size; e[1] = size >= 256 ? 0 : size; e[2] = 0; e[3] = 0;
    e.writeUInt16LE(1, 4); e.writeUInt16LE(32, 6); e.writeUInt32LE(png.length, 8); e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...pngs.map((p) => p.png)]);
}

/** ICNS with PNG entries: ic07 128, ic08 256, ic09 512, ic10 1024 (retina 512). */
export function encodeIcns(pngs) {
  const types = { 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
  const parts = pngs.filter((p) => types[p.size]).map(({ size, png }) => {
    const h = Buffer.alloc(8); h.write(types[size], 0, 'ascii'); h.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([h, png]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8); h.write('icns', 0, 'ascii'); h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

function main(args) {
  const outIdx = args.indexOf('--out');
  const out = path.resolve(outIdx >= 0 ? args[outIdx + 1] : path.join(here, '..', '..', 'build'));
  fs.mkdirSync(path.join(out, 'icons'), { recursive: true });
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  const pngs = sizes.map((size) => ({ size, png: drawIcon(size) }));
  for (const { size, png } of pngs) if (size <= 512) fs.writeFileSync(path.join(out, 'icons', `${size}x${size}.png`), png);
  fs.writeFileSync(path.join(out, 'icon.png'), pngs.find((p) => p.size === 1024).png);
  fs.writeFileSync(path.join(out, 'icon.ico'), encodeIco(pngs.filter((p) => [16, 24, 32, 48, 64, 128, 256].includes(p.size))));
  fs.writeFileSync(path.join(out, 'icon.icns'), encodeIcns(pngs));
  console.log(`make-icons: wrote ${sizes.length} sizes, icon.ico and icon.icns to ${path.relative(process.cwd(), out) || '.'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
