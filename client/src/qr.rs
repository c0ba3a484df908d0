//! QR codes of items' Digital Link URIs, as SVG or PNG.

use crate::error::{ClientError, Result};
use qrcode::{EcLevel, QrCode};
use std::path::Path;

/// Quiet zone around the symbol, in modules (ISO/IEC 18004 asks for 4).
pub const QUIET_ZONE: usize = 4;
/// PNG pixels per module.
pub const PNG_SCALE: usize = 8;

/// Printed width of the label's QR code the encoding is sized for (mm, quiet zone included).
pub const LABEL_MM: f64 = 20.0;
/// Smallest module a phone camera reads reliably at arm's length (mm).
pub const MIN_MODULE_MM: f64 = 0.25;

/// The QR code of `uri`. The URI is split into segments by the encoder (the proof's digits go in
/// numeric mode). Error correction is the strongest of Q (~25% of the symbol recoverable), M (~15%)
/// and L (~7%) that keeps modules at least [`MIN_MODULE_MM`] on a [`LABEL_MM`] label; when none
/// does, L, the smallest symbol.
pub fn encode(uri: &str) -> Result<QrCode> {
    let mut last = None;
    for level in [EcLevel::Q, EcLevel::M, EcLevel::L] {
        let code = QrCode::with_error_correction_level(uri.as_bytes(), level)
            .map_err(|e| ClientError::Input(format!("cannot encode {} characters as a QR code: {e:?}", uri.len())))?;
        if module_mm(&code, LABEL_MM) >= MIN_MODULE_MM {
            return Ok(code);
        }
        last = Some(code);
    }
    Ok(last.expect("three levels tried"))
}

/// The error correction level's letter.
pub fn ec_level(code: &QrCode) -> char {
    match code.error_correction_level() {
        EcLevel::L => 'L',
        EcLevel::M => 'M',
        EcLevel::Q => 'Q',
        EcLevel::H => 'H',
    }
}

/// Version (1..=40) and width in modules (without quiet zone).
pub fn version(code: &QrCode) -> (i16, usize) {
    let v = match code.version() {
        qrcode::Version::Normal(v) => v,
        qrcode::Version::Micro(v) => v,
    };
    (v, code.width())
}

/// The module size in millimetres when the symbol, quiet zone included, is printed `mm` wide.
pub fn module_mm(code: &QrCode, mm: f64) -> f64 {
    mm / (code.width() + 2 * QUIET_ZONE) as f64
}

/// The symbol as 8-bit greyscale pixels (0 dark, 255 light), quiet zone included, [`PNG_SCALE`]
/// pixels per module: (side, row-major pixels).
pub fn pixels(code: &QrCode) -> (usize, Vec<u8>) {
    let w = code.width();
    let side = (w + 2 * QUIET_ZONE) * PNG_SCALE;
    let colors = code.to_colors();
    let mut pixels = vec![255u8; side * side];
    for y in 0..w {
        for x in 0..w {
            if colors[y * w + x] == qrcode::Color::Dark {
                for dy in 0..PNG_SCALE {
                    let row = (y + QUIET_ZONE) * PNG_SCALE + dy;
                    let start = row * side + (x + QUIET_ZONE) * PNG_SCALE;
                    pixels[start..start + PNG_SCALE].fill(0);
                }
            }
        }
    }
    (side, pixels)
}

/// Writes `code` to `path`: SVG if it ends in `.svg`, PNG if `.png`.
pub fn write(code: &QrCode, path: &Path) -> Result<()> {
    let io = |e: String| ClientError::Io { path: path.display().to_string(), reason: e };
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .quiet_zone(true)
                .module_dimensions(8, 8)
                .build();
            std::fs::write(path, svg).map_err(|e| io(e.to_string()))
        }
        Some("png") => {
            let (side, pixels) = pixels(code);
            let file = std::fs::File::create(path).map_err(|e| io(e.to_string()))?;
            let mut enc = png::Encoder::new(std::io::BufWriter::new(file), side as u32, side as u32);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            let mut writer = enc.write_header().map_err(|e| io(e.to_string()))?;
            writer.write_image_data(&pixels).map_err(|e| io(e.to_string()))
        }
        _ => Err(ClientError::Input(format!("{}: the output must end in .png or .svg", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gs1::{parse_gtin, DigitalLink, Proof, DEFAULT_RESOLVER};
    use tracepass_shared::merkle::proof_len;

    /// The QR version of the worst-case item (longest proof) of lots of 1,000, 10,000 and
    /// 1,000,000 serials, with 10-character lot and serial values.
    #[test]
    fn qr_versions_works() {
        let mut versions = vec![];
        for n in [1_000u32, 10_000, 1_000_000] {
            let index = 0; // the first leaf has a sibling at every level: the longest proof
            let siblings = vec![[0xa5; 16]; proof_len(n, index).unwrap()];
            let dl = DigitalLink {
                gtin: parse_gtin("10614141000415").unwrap(),
                lot: "L2026-11A0".into(),
                serial: "AROHA00042".into(),
                proof: Some(Proof { index, salt: Some([0xa5; tracepass_shared::SALT_LEN]), siblings }),
            };
            let uri = dl.uri(DEFAULT_RESOLVER);
            let code = encode(&uri).unwrap();
            let (v, w) = version(&code);
            println!(
                "{n:>9} serials: URI {} chars, QR version {v}-{} ({w}x{w} modules), {:.3} mm per module at 20 mm",
                uri.len(),
                ec_level(&code),
                module_mm(&code, 20.0)
            );
            // side by side: the same proof as base64url in byte mode, at the same error correction
            let b64 = {
                const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                let bytes = dl.proof.as_ref().unwrap().to_bytes();
                let bits: String = bytes.iter().map(|b| format!("{b:08b}")).collect();
                bits.as_bytes().chunks(6).map(|c| {
                    let v = c.iter().fold(0usize, |v, b| (v << 1) | usize::from(*b == b'1')) << (6 - c.len());
                    A[v] as char
                }).collect::<String>()
            };
            let old_uri = format!("{}?p={b64}", uri.split('?').next().unwrap());
            let old = QrCode::with_error_correction_level(old_uri.as_bytes(), code.error_correction_level()).unwrap();
            let at_m = |u: &str| version(&QrCode::with_error_correction_level(u.as_bytes(), EcLevel::M).unwrap()).0;
            println!(
                "           base64url proof instead: URI {} chars, QR version {} (at level M: decimal {}, base64url {})",
                old_uri.len(),
                version(&old).0,
                at_m(&uri),
                at_m(&old_uri)
            );
            assert!(version(&old).0 > v, "the decimal proof gives a smaller code");
            // an independent decoder reads the URI back from the rendered pixels
            assert_eq!(scan(&code), uri, "{n} serials");
            versions.push(v);
        }
        assert!(versions.windows(2).all(|w| w[0] <= w[1]));
        assert!(versions[2] <= 13, "a million-item lot's QR stays at version {} <= 13", versions[2]);
    }

    /// Decodes a rendered symbol with rqrr (an independent QR decoder).
    fn scan(code: &QrCode) -> String {
        let (side, px) = pixels(code);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| px[y * side + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one symbol found");
        grids[0].decode().expect("decodes").1
    }

    #[test]
    fn write_works() {
        let dir = tempfile::tempdir().unwrap();
        let code = encode("https://id.tracepass.local/01/10614141000415/10/L1/21/S1?p=AA").unwrap();
        for name in ["a.svg", "a.png"] {
            let p = dir.path().join(name);
            write(&code, &p).unwrap();
            let bytes = std::fs::read(&p).unwrap();
            assert!(bytes.len() > 100);
        }
        assert!(std::fs::read(dir.path().join("a.png")).unwrap().starts_with(b"\x89PNG"));
        assert!(write(&code, &dir.path().join("a.jpg")).is_err());
    }
}
