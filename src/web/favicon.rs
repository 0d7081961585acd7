//! `/favicon.ico`: a browser asks for it on every page, and a 404 there is an error in its
//! console. A 16×16 icon (an envelope on the brand's blue), drawn here from text so that the
//! repository holds no binary to trust; built once, served with a long cache life.

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `.` transparent, `b` blue, `w` white; top row first.
const PICTURE: [&str; 16] = [
    "..bbbbbbbbbbbb..",
    ".bbbbbbbbbbbbbb.",
    "bbbbbbbbbbbbbbbb",
    "bbwwwwwwwwwwwwbb",
    "bbwwbbbbbbbbwwbb",
    "bbwbwwbbbbwwbwbb",
    "bbwbbbwwwwbbbwbb",
    "bbwbbbbwwbbbbwbb",
    "bbwbbbbbbbbbbwbb",
    "bbwbbbbbbbbbbwbb",
    "bbwbbbbbbbbbbwbb",
    "bbwwwwwwwwwwwwbb",
    "bbbbbbbbbbbbbbbb",
    "bbbbbbbbbbbbbbbb",
    ".bbbbbbbbbbbbbb.",
    "..bbbbbbbbbbbb..",
];

static ICON: LazyLock<Vec<u8>> = LazyLock::new(icon);

pub async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/x-icon"), (header::CACHE_CONTROL, "max-age=86400")], ICON.as_slice()).into_response()
}

/// An ICO file with one 32-bit 16×16 image: the directory, a BITMAPINFOHEADER (height doubled,
/// for the colour rows and the mask), the BGRA rows bottom up, and the 1-bit mask.
fn icon() -> Vec<u8> {
    const SIDE: usize = 16;
    let mask_row = 4; // 16 bits, padded to 32
    let image_len = 40 + SIDE * SIDE * 4 + SIDE * mask_row;
    let mut o = Vec::with_capacity(22 + image_len);
    let u16le = |o: &mut Vec<u8>, v: u16| o.extend_from_slice(&v.to_le_bytes());
    let u32le = |o: &mut Vec<u8>, v: u32| o.extend_from_slice(&v.to_le_bytes());
    // ICONDIR and its one ICONDIRENTRY.
    for v in [0, 1, 1] {
        u16le(&mut o, v);
    }
    o.extend_from_slice(&[SIDE as u8, SIDE as u8, 0, 0]);
    u16le(&mut o, 1);
    u16le(&mut o, 32);
    u32le(&mut o, image_len as u32);
    u32le(&mut o, 22);
    // BITMAPINFOHEADER.
    u32le(&mut o, 40);
    u32le(&mut o, SIDE as u32);
    u32le(&mut o, 2 * SIDE as u32);
    u16le(&mut o, 1);
    u16le(&mut o, 32);
    for v in [0, (SIDE * SIDE * 4 + SIDE * mask_row) as u32, 0, 0, 0, 0] {
        u32le(&mut o, v);
    }
    for row in PICTURE.iter().rev() {
        for c in row.bytes() {
            o.extend_from_slice(match c {
                b'b' => &[0xb0, 0x6c, 0x2b, 0xff],
                b'w' => &[0xff, 0xff, 0xff, 0xff],
                _ => &[0, 0, 0, 0],
            });
        }
    }
    for row in PICTURE.iter().rev() {
        let bits = row.bytes().enumerate().filter(|(_, c)| *c == b'.').fold(0u16, |m, (i, _)| m | (0x8000 >> i));
        o.extend_from_slice(&bits.to_be_bytes());
        o.extend_from_slice(&[0, 0]);
    }
    o
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_icon_is_a_well_formed_ico() {
        let ico = super::icon();
        assert_eq!(&ico[..6], &[0, 0, 1, 0, 1, 0], "an icon directory of one image");
        let len = u32::from_le_bytes(ico[14..18].try_into().unwrap()) as usize;
        let offset = u32::from_le_bytes(ico[18..22].try_into().unwrap()) as usize;
        assert_eq!(offset + len, ico.len());
        assert_eq!(ico.len(), 22 + 40 + 16 * 16 * 4 + 16 * 4);
        assert!(super::PICTURE.iter().all(|r| r.len() == 16));
    }
}
