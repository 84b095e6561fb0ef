// Stage 1 of the WebGPU int8 kernel (webgpu.ts): scores the int8 item table, packed 4 values per
// u32 (row r = words [r * words, (r + 1) * words), little-endian bytes, zero padded), against the
// int8 user vector packed the same way, and keeps the best `keep` entries of every tile of TILE.
// `dot4(a, b)`: the signed dot product of two packed i8x4, prepended by webgpu.ts from
// dot-packed.wgsl (dot4I8Packed) or dot-unpacked.wgsl (extractBits).
//
// mode 0: entries are table rows 0..count-1, scored as f32(Σ q_r · q_u) · scale_r · su; rows set
//         in the exclusion bitmap (when `masked`) and rows past `count` are INVALID.
// mode 1: entries are the (score bits, row) pairs of `src` (a previous pass's kept entries).
// Each workgroup sorts its tile best first (score descending, ties to the lower row, INVALID
// last) with a bitonic network in workgroup memory and writes its first `keep` entries to
// dst[tile * keep ..]. Passes repeat (mode 1) until one tile is left: its `keep` entries are the
// only bytes read back.

const WG: u32 = 256u;
const TILE: u32 = 1024u;
const INVALID: u32 = 0xffffffffu;

struct Params {
  count: u32,
  words: u32,
  keep: u32,
  mode: u32,
  su: f32,
  masked: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> table: array<u32>;
@group(0) @binding(2) var<storage, read> scales: array<f32>;
@group(0) @binding(3) var<storage, read> user: array<u32>;
@group(0) @binding(4) var<storage, read> mask: array<u32>;
@group(0) @binding(5) var<storage, read> src: array<vec2<u32>>;
@group(0) @binding(6) var<storage, read_write> dst: array<vec2<u32>>;

var<workgroup> key: array<f32, TILE>;
var<workgroup> row: array<u32, TILE>;

fn score(r: u32) -> f32 {
  var acc: i32 = 0;
  let base = r * P.words;
  for (var w = 0u; w < P.words; w++) {
    acc += dot4(table[base + w], user[w]);
  }
  return f32(acc) * scales[r] * P.su;
}

// a before b: higher score, or the same score and the lower row (INVALID rows are last).
fn before(ka: f32, ra: u32, kb: f32, rb: u32) -> bool {
  if (ra == INVALID) { return false; }
  if (rb == INVALID) { return true; }
  return ka > kb || (ka == kb && ra < rb);
}

@compute @workgroup_size(256)
fn main(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(num_workgroups) nw: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let tile = wg.x + wg.y * nw.x;
  let first = tile * TILE;
  for (var j = 0u; j < TILE / WG; j++) {
    let s = t + j * WG;
    let i = first + s;
    var k = 0.0;
    var r = INVALID;
    if (i < P.count) {
      if (P.mode == 0u) {
        if (P.masked == 0u || (mask[i >> 5u] & (1u << (i & 31u))) == 0u) {
          k = score(i);
          r = i;
        }
      } else {
        let c = src[i];
        k = bitcast<f32>(c.x);
        r = c.y;
      }
    }
    key[s] = k;
    row[s] = r;
  }
  workgroupBarrier();
  for (var size = 2u; size <= TILE; size = size << 1u) {
    for (var stride = size >> 1u; stride > 0u; stride = stride >> 1u) {
      for (var j = 0u; j < TILE / (2u * WG); j++) {
        let p = t + j * WG;
        let lo = 2u * stride * (p / stride) + (p % stride);
        let hi = lo + stride;
        // Blocks with (lo & size) == 0 sort best first, the others best last (the whole tile: best first).
        let bestFirst = (lo & size) == 0u;
        if (before(key[hi], row[hi], key[lo], row[lo]) == bestFirst) {
          let k = key[lo];
          let r = row[lo];
          key[lo] = key[hi];
          row[lo] = row[hi];
          key[hi] = k;
          row[hi] = r;
        }
      }
      workgroupBarrier();
    }
  }
  if (first < P.count) {
    for (var s = t; s < P.keep; s += WG) {
      dst[tile * P.keep + s] = vec2<u32>(bitcast<u32>(key[s]), row[s]);
    }
  }
}
