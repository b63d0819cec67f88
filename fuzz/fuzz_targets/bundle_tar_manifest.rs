//! The bundle's plaintext layer: arbitrary bytes as the tar archive inside
//! a bundle (read as the import reads it: the manifest first, then record
//! files up to their limit), and as a manifest on their own.
#![no_main]

use libfuzzer_sys::fuzz_target;
use safevisit::export::bundle::MAX_RECORD_FILE;
use safevisit::export::manifest::{self, Manifest};
use safevisit::export::tar::TarReader;

fuzz_target!(|data: &[u8]| {
    let _ = Manifest::parse(data);
    let mut archive = TarReader::new(data);
    let mut limit = manifest::MAX_BYTES;
    while let Ok(Some(file)) = archive.next_file(limit) {
        if limit == manifest::MAX_BYTES {
            let _ = Manifest::parse(&file.data);
            limit = MAX_RECORD_FILE;
        }
    }
});
