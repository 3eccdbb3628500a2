//! The factor file: everything a browser needs to rank the catalogue for a learner whose
//! history never leaves the device. One file per model version:
//!
//! ```text
//! header (40 bytes, little-endian)
//!   magic "SZF1" · format u16 (1) · reserved u16 · model version u32 · items n u32 ·
//!   factors k u32 · λ f32 · α f32 · body length u32 · FNV-1a 64 checksum of the body u64
//! body
//!   n × (id length u16, id UTF-8)        the item keys, in row order
//!   n × group u16                        the creator of each item (for diversity)
//!   k×k × f32                            the Gram matrix YᵀY of the vectors below
//!   n × f32                              per-row scale
//!   n×k × i8                             the item vectors, quantised: y ≈ scale · code
//! ```
//!
//! With int8 codes and one f32 scale per row a vector takes k + 4 bytes instead of 4k
//! (68 bytes instead of 256 at k = 64), and no element is off by more than half its row's
//! scale. A file that is truncated, altered or of another format is refused with an error.

/// Leading bytes of every factor file.
pub const MAGIC: &[u8; 4] = b"SZF1";
/// The layout version this code reads and writes.
pub const FORMAT: u16 = 1;
const HEADER_LEN: usize = 40;

/// Why bytes are not a usable factor file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactorError {
    /// Not a factor file at all.
    #[error("not a Shuzhai factor file")]
    Magic,
    /// A layout this code does not know.
    #[error("factor file format {0} is not supported")]
    Format(u16),
    /// Fewer bytes than the header announces.
    #[error("the factor file is truncated")]
    Truncated,
    /// The body does not match its checksum.
    #[error("the factor file is damaged (checksum mismatch)")]
    Checksum,
    /// Sizes or values that make no sense (zero factors, an id that is not UTF-8…).
    #[error("the factor file is malformed: {0}")]
    Malformed(&'static str),
}

/// A decoded factor file (see the module documentation for the layout).
#[derive(Debug, Clone, PartialEq)]
pub struct FactorFile {
    /// The model version it was trained as.
    pub version: u32,
    /// Factors per vector.
    pub k: usize,
    /// The L2 regularisation the model was trained with (fold-in uses it).
    pub lambda: f32,
    /// The confidence scale α: an interaction of strength r counts with confidence 1 + α·r.
    pub alpha: f32,
    /// Item keys, in row order.
    pub ids: Vec<String>,
    /// A group per item (its creator), for diversity.
    pub groups: Vec<u16>,
    /// YᵀY of the dequantised vectors, row-major k×k.
    pub gram: Vec<f32>,
    /// Per-row scales.
    pub scales: Vec<f32>,
    /// Quantised vectors, row-major n×k.
    pub codes: Vec<i8>,
}

/// FNV-1a's starting state.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a, 64 bits: the factor file's checksum (and the model store's entity tags).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_continue(FNV_OFFSET, bytes)
}

/// FNV-1a of earlier bytes (state `h`) followed by `bytes`, so that a large file can be
/// checked in slices between which the browser draws frames.
pub fn fnv1a_continue(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl FactorFile {
    /// Quantises the f32 item `vectors` (row-major, `ids.len()` × `k`) into a file.
    /// The Gram matrix is computed from the quantised vectors, so that fold-in in the
    /// browser and scoring use exactly the same numbers.
    pub fn quantise(
        version: u32,
        k: usize,
        lambda: f32,
        alpha: f32,
        ids: Vec<String>,
        groups: Vec<u16>,
        vectors: &[f32],
    ) -> Result<Self, FactorError> {
        let n = ids.len();
        if k == 0 || vectors.len() != n * k || groups.len() != n {
            return Err(FactorError::Malformed("vector, id and group counts differ"));
        }
        let mut scales = Vec::with_capacity(n);
        let mut codes = Vec::with_capacity(n * k);
        for row in vectors.chunks_exact(k) {
            let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            let scale = if max > 0.0 && max.is_finite() {
                max / 127.0
            } else {
                1.0
            };
            scales.push(scale);
            codes.extend(
                row.iter()
                    .map(|v| (v / scale).round().clamp(-127.0, 127.0) as i8),
            );
        }
        let mut file = FactorFile {
            version,
            k,
            lambda,
            alpha,
            ids,
            groups,
            gram: vec![0.0; k * k],
            scales,
            codes,
        };
        file.gram = file.compute_gram();
        Ok(file)
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether it holds no items.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Writes item `i`'s dequantised vector into `out` (length `k`).
    pub fn vector_into(&self, i: usize, out: &mut [f32]) {
        let scale = self.scales[i];
        for (o, c) in out
            .iter_mut()
            .zip(&self.codes[i * self.k..(i + 1) * self.k])
        {
            *o = scale * f32::from(*c);
        }
    }

    /// The length of item `i`'s vector.
    pub fn norm(&self, i: usize) -> f32 {
        let codes = &self.codes[i * self.k..(i + 1) * self.k];
        let sum: f32 = codes.iter().map(|c| f32::from(*c) * f32::from(*c)).sum();
        sum.sqrt() * self.scales[i]
    }

    /// Item rows by key.
    pub fn rows_by_id(&self) -> std::collections::HashMap<&str, usize> {
        self.ids
            .iter()
            .enumerate()
            .map(|(n, id)| (id.as_str(), n))
            .collect()
    }

    fn compute_gram(&self) -> Vec<f32> {
        let k = self.k;
        let mut gram = vec![0f64; k * k];
        let mut y = vec![0f32; k];
        for i in 0..self.len() {
            self.vector_into(i, &mut y);
            for a in 0..k {
                let ya = f64::from(y[a]);
                for b in 0..=a {
                    gram[a * k + b] += ya * f64::from(y[b]);
                }
            }
        }
        let mut out = vec![0f32; k * k];
        for a in 0..k {
            for b in 0..=a {
                out[a * k + b] = gram[a * k + b] as f32;
                out[b * k + a] = gram[a * k + b] as f32;
            }
        }
        out
    }

    /// The file's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        for id in &self.ids {
            let bytes = id.as_bytes();
            let len = bytes.len().min(usize::from(u16::MAX));
            body.extend_from_slice(&(len as u16).to_le_bytes());
            body.extend_from_slice(&bytes[..len]);
        }
        for g in &self.groups {
            body.extend_from_slice(&g.to_le_bytes());
        }
        for v in self.gram.iter().chain(&self.scales) {
            body.extend_from_slice(&v.to_le_bytes());
        }
        body.extend(self.codes.iter().map(|c| *c as u8));
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&self.version.to_le_bytes());
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        out.extend_from_slice(&(self.k as u32).to_le_bytes());
        out.extend_from_slice(&self.lambda.to_le_bytes());
        out.extend_from_slice(&self.alpha.to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&fnv1a(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Reads a file, checking its magic, format, length and checksum.
    pub fn decode(bytes: &[u8]) -> Result<Self, FactorError> {
        let sum = fnv1a(Self::body(bytes)?);
        Self::decode_with_sum(bytes, sum)
    }

    /// The part of the file the checksum covers, after checking magic, format and length.
    pub fn body(bytes: &[u8]) -> Result<&[u8], FactorError> {
        if bytes.len() < 4 || &bytes[..4] != MAGIC {
            return Err(FactorError::Magic);
        }
        if bytes.len() < HEADER_LEN {
            return Err(FactorError::Truncated);
        }
        let format = u16::from_le_bytes([bytes[4], bytes[5]]);
        if format != FORMAT {
            return Err(FactorError::Format(format));
        }
        let body_len = u32::from_le_bytes([bytes[28], bytes[29], bytes[30], bytes[31]]) as usize;
        bytes[HEADER_LEN..]
            .get(..body_len)
            .ok_or(FactorError::Truncated)
    }

    /// Reads a file whose body's FNV-1a (see [`FactorFile::body`]) was computed as `sum`
    /// elsewhere — in slices, by the browser — and checks it against the header.
    pub fn decode_with_sum(bytes: &[u8], sum: u64) -> Result<Self, FactorError> {
        let body = Self::body(bytes)?;
        let body_len = body.len();
        let u32_at =
            |p: usize| u32::from_le_bytes([bytes[p], bytes[p + 1], bytes[p + 2], bytes[p + 3]]);
        let version = u32_at(8);
        let n = u32_at(12) as usize;
        let k = u32_at(16) as usize;
        let lambda = f32::from_bits(u32_at(20));
        let alpha = f32::from_bits(u32_at(24));
        let mut stored = [0u8; 8];
        stored.copy_from_slice(&bytes[32..40]);
        if u64::from_le_bytes(stored) != sum {
            return Err(FactorError::Checksum);
        }
        if k == 0 || k > 1024 {
            return Err(FactorError::Malformed("factor count out of range"));
        }
        let mut p = 0usize;
        let take = |p: &mut usize, len: usize| -> Result<&[u8], FactorError> {
            let end = p.checked_add(len).ok_or(FactorError::Truncated)?;
            let s = body.get(*p..end).ok_or(FactorError::Truncated)?;
            *p = end;
            Ok(s)
        };
        let mut ids = Vec::with_capacity(n.min(body_len / 2));
        for _ in 0..n {
            let l = take(&mut p, 2)?;
            let len = usize::from(u16::from_le_bytes([l[0], l[1]]));
            let s = take(&mut p, len)?;
            ids.push(
                std::str::from_utf8(s)
                    .map_err(|_| FactorError::Malformed("an item id is not UTF-8"))?
                    .to_string(),
            );
        }
        let groups = take(&mut p, 2 * n)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let floats = |p: &mut usize, count: usize| -> Result<Vec<f32>, FactorError> {
            Ok(take(p, 4 * count)?
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect())
        };
        let gram = floats(&mut p, k * k)?;
        let scales = floats(&mut p, n)?;
        let codes: Vec<i8> = take(&mut p, n * k)?.iter().map(|b| *b as i8).collect();
        if p != body.len() {
            return Err(FactorError::Malformed("bytes left over after the vectors"));
        }
        if !lambda.is_finite() || lambda < 0.0 || !alpha.is_finite() || alpha < 0.0 {
            return Err(FactorError::Malformed("negative or non-finite λ or α"));
        }
        Ok(FactorFile {
            version,
            k,
            lambda,
            alpha,
            ids,
            groups,
            gram,
            scales,
            codes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize, k: usize) -> (Vec<String>, Vec<f32>) {
        let ids = (0..n).map(|i| format!("i{i:03}")).collect();
        let v = (0..n * k)
            .map(|x| {
                (((x * 7919) % 1000) as f32 / 500.0 - 1.0) * if x % 5 == 0 { 3.0 } else { 0.4 }
            })
            .collect();
        (ids, v)
    }

    #[test]
    fn round_trips_and_bounds_the_quantisation_error() {
        let (n, k) = (50, 16);
        let (ids, v) = sample(n, k);
        let file = FactorFile::quantise(7, k, 0.1, 20.0, ids, vec![3; n], &v).unwrap();
        let bytes = file.encode();
        let back = FactorFile::decode(&bytes).unwrap();
        assert_eq!(back, file);
        let mut y = vec![0f32; k];
        for i in 0..n {
            back.vector_into(i, &mut y);
            let half_step = back.scales[i] / 2.0 + 1e-6;
            for j in 0..k {
                assert!(
                    (y[j] - v[i * k + j]).abs() <= half_step,
                    "item {i} factor {j}"
                );
            }
        }
    }

    #[test]
    fn a_catalogue_file_is_at_most_a_third_of_its_f32_vectors() {
        // Item ids aside (any format carries them), at k = 64.
        let (n, k) = (2000, 64);
        let (ids, v) = sample(n, k);
        let ids_len: usize = ids.iter().map(|s| s.len() + 2).sum();
        let bytes = FactorFile::quantise(1, k, 0.1, 1.0, ids, vec![0; n], &v)
            .unwrap()
            .encode();
        assert!(
            (bytes.len() - ids_len) * 3 <= n * k * 4,
            "{} bytes",
            bytes.len()
        );
    }

    #[test]
    fn the_gram_matrix_is_that_of_the_stored_vectors() {
        let (n, k) = (20, 4);
        let (ids, v) = sample(n, k);
        let file = FactorFile::quantise(1, k, 0.1, 1.0, ids, vec![0; n], &v).unwrap();
        let mut y = vec![0f32; k];
        let mut g = vec![0f32; k * k];
        for i in 0..n {
            file.vector_into(i, &mut y);
            for a in 0..k {
                for b in 0..k {
                    g[a * k + b] += y[a] * y[b];
                }
            }
        }
        for (x, want) in file.gram.iter().zip(&g) {
            assert!((x - want).abs() < 1e-3);
        }
    }

    #[test]
    fn damaged_files_are_refused() {
        let (ids, v) = sample(10, 8);
        let bytes = FactorFile::quantise(1, 8, 0.1, 1.0, ids, vec![0; 10], &v)
            .unwrap()
            .encode();
        assert_eq!(FactorFile::decode(b"nope"), Err(FactorError::Magic));
        assert_eq!(
            FactorFile::decode(&bytes[..bytes.len() - 1]),
            Err(FactorError::Truncated)
        );
        assert_eq!(
            FactorFile::decode(&bytes[..20]),
            Err(FactorError::Truncated)
        );
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(FactorFile::decode(&flipped), Err(FactorError::Checksum));
        let mut other = bytes.clone();
        other[4] = 9;
        assert_eq!(FactorFile::decode(&other), Err(FactorError::Format(9)));
    }
}
