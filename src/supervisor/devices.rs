//! The laptops the office knows: enrolment (a device card pinned in the
//! ledger), revocation (a lost or stolen laptop), and the list of devices.
//! docs/SUPERVISOR.md, "Enrolling laptops", is the manual.
//!
//! A device row of the ledger is **enrolled** when it holds a signing key
//! (from the card); only then does the import accept signed bundles that
//! name it. Its name comes from the card and never from a bundle (F5 of
//! the security review). Revocation keeps every visit already in the
//! ledger; bundles the device made at or after `revoked_since` are refused.

use crate::supervisor::db::{Row, p};

use crate::cards::DeviceCard;
use crate::i18n::Lang;
use crate::signing::VerifyingKey;
use crate::store::recipients::{Recipient, parse_recipient};
use crate::supervisor::audit;
use crate::supervisor::ledger::{Ledger, LedgerError};

/// One device as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub device_id: String,
    pub name: String,
    pub first_seen: String,
    pub last_seen: String,
    /// The pinned signing key (base64), when enrolled.
    pub signing_key: Option<String>,
    /// The card's fingerprint, when enrolled.
    pub fingerprint: Option<String>,
    /// The laptop's own recipient (receipts are encrypted to it).
    pub recipient: Option<String>,
    pub enrolled_at: Option<String>,
    pub revoked_at: Option<String>,
    /// Bundles made at or after this time are refused.
    pub revoked_since: Option<String>,
    pub revoke_reason: Option<String>,
    /// When its last accepted bundle arrived.
    pub last_bundle: Option<String>,
    /// Visits in the ledger.
    pub visits: i64,
}

impl Device {
    pub fn enrolled(&self) -> bool {
        self.signing_key.is_some()
    }

    /// The pinned key, when enrolled and readable.
    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        self.signing_key
            .as_deref()
            .and_then(|k| VerifyingKey::from_base64(k).ok())
    }

    /// The pinned recipient, when enrolled and readable.
    pub fn age_recipient(&self) -> Option<Recipient> {
        self.recipient
            .as_deref()
            .and_then(|r| parse_recipient(r).ok())
    }

    /// Whether a bundle made at `created_at` is refused by a revocation.
    pub fn revokes(&self, created_at: &str) -> bool {
        self.revoked_since
            .as_deref()
            .is_some_and(|since| created_at >= since)
    }
}

const SELECT: &str = "SELECT d.device_id, d.name, d.first_seen, d.last_seen, d.signing_key,
        d.fingerprint, d.recipient, d.enrolled_at, d.revoked_at, d.revoked_since, d.revoke_reason,
        (SELECT max(b.seen_at) FROM bundles b
          WHERE b.device_id = d.device_id AND b.outcome IN ('imported', 'partly')),
        (SELECT count(*) FROM visits v WHERE v.device_id = d.device_id)
     FROM devices d";

fn row(r: &Row) -> Result<Device, LedgerError> {
    Ok(Device {
        device_id: r.get(0)?,
        name: r.get(1)?,
        first_seen: r.get(2)?,
        last_seen: r.get(3)?,
        signing_key: r.get(4)?,
        fingerprint: r.get(5)?,
        recipient: r.get(6)?,
        enrolled_at: r.get(7)?,
        revoked_at: r.get(8)?,
        revoked_since: r.get(9)?,
        revoke_reason: r.get(10)?,
        last_bundle: r.get(11)?,
        visits: r.get(12)?,
    })
}

/// The device with this id, if the ledger knows it.
pub fn device(ledger: &Ledger, device_id: &str) -> Result<Option<Device>, LedgerError> {
    ledger
        .conn()
        .query_opt(&format!("{SELECT} WHERE d.device_id = ?1"), p![device_id])?
        .as_ref()
        .map(row)
        .transpose()
}

/// Every device, by name and id.
pub fn list(ledger: &Ledger) -> Result<Vec<Device>, LedgerError> {
    ledger
        .conn()
        .query(&format!("{SELECT} ORDER BY d.name, d.device_id"), p![])?
        .iter()
        .map(row)
        .collect()
}

/// What an enrolment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolled {
    /// A device the ledger did not know.
    New,
    /// A device seen in bundles before (not enrolled): now enrolled. Its
    /// name is the card's from now on; `old_name` when it differed.
    Pinned { old_name: Option<String> },
    /// The same card was enrolled before: nothing changed.
    Unchanged,
    /// Another card replaced the pinned one (`--replace`).
    Replaced { old_fingerprint: String },
}

/// Why an enrolment or a revocation was refused.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error(
        "device {device_id} is already enrolled with another card (fingerprint {pinned}); this card has {card}"
    )]
    OtherCard {
        device_id: String,
        pinned: String,
        card: String,
    },
    #[error("the office does not know device {0}")]
    Unknown(String),
    #[error(
        "device {device_id} is already revoked since {since}; a revocation can only move earlier"
    )]
    RevokedEarlier { device_id: String, since: String },
    #[error("{0}")]
    Ledger(#[from] LedgerError),
}

impl DeviceError {
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (
                DeviceError::OtherCard {
                    device_id,
                    pinned,
                    card,
                },
                Lang::Nl,
            ) => format!(
                "apparaat {device_id} is al ingeschreven met een andere kaart (vingerafdruk {pinned}); deze kaart heeft {card}. \
                 Is de laptop opnieuw ingericht of is de sleutel vervangen, controleer de nieuwe kaart dan per telefoon en gebruik --replace: \
                 daarna worden alleen bundels met de nieuwe sleutel aangenomen"
            ),
            (DeviceError::OtherCard { .. }, Lang::En) => format!(
                "{self}. If the laptop was set up again or its key replaced, check the new card by phone and use --replace: \
                 from then on only bundles signed with the new key are accepted"
            ),
            (DeviceError::Unknown(id), Lang::Nl) => format!(
                "het kantoor kent apparaat {id} niet; `safevisit supervisor devices` toont de apparaten"
            ),
            (DeviceError::Unknown(_), Lang::En) => {
                format!("{self}; `safevisit supervisor devices` lists the devices")
            }
            (DeviceError::RevokedEarlier { device_id, since }, Lang::Nl) => format!(
                "apparaat {device_id} is al ingetrokken vanaf {since}; een intrekking kan alleen naar eerder worden verschoven"
            ),
            (DeviceError::Ledger(e), Lang::Nl) => {
                format!("de database (safevisit.sqlite) gaf een fout: {e}")
            }
            (e, Lang::En) => e.to_string(),
        }
    }
}

/// Pin `card` in the ledger. The same card again changes nothing; another
/// card for an enrolled device is refused unless `replace`.
pub fn enrol(
    ledger: &Ledger,
    card: &DeviceCard,
    now: &str,
    replace: bool,
) -> Result<Enrolled, DeviceError> {
    let tx = ledger.conn().transaction().map_err(LedgerError::from)?;
    let fingerprint = card.fingerprint();
    let known = device(ledger, &card.device_id)?;
    let outcome = match &known {
        None => {
            tx.execute(
                "INSERT INTO devices (device_id, name, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)",
                p![card.device_id, card.device_name, now],
            )
            .map_err(LedgerError::from)?;
            Enrolled::New
        }
        Some(d) if d.fingerprint.as_deref() == Some(fingerprint.as_str()) => {
            return Ok(Enrolled::Unchanged);
        }
        Some(d) if d.enrolled() => {
            let pinned = d.fingerprint.clone().unwrap_or_default();
            if !replace {
                return Err(DeviceError::OtherCard {
                    device_id: card.device_id.clone(),
                    pinned,
                    card: fingerprint,
                });
            }
            Enrolled::Replaced {
                old_fingerprint: pinned,
            }
        }
        Some(d) => Enrolled::Pinned {
            old_name: (d.name != card.device_name).then(|| d.name.clone()),
        },
    };
    tx.execute(
        "UPDATE devices SET name = ?2, signing_key = ?3, fingerprint = ?4, recipient = ?5, enrolled_at = ?6
         WHERE device_id = ?1",
        p![
            card.device_id,
            card.device_name,
            card.signing_key.to_base64(),
            fingerprint,
            card.recipient.to_string(),
            now
        ],
    )
    .map_err(LedgerError::from)?;
    let how = match &outcome {
        Enrolled::New => "new",
        Enrolled::Pinned { .. } => "pinned",
        Enrolled::Replaced { .. } => "replaced",
        Enrolled::Unchanged => "unchanged",
    };
    let mut details = serde_json::json!({
        "device": card.device_id,
        "fingerprint": fingerprint,
        "outcome": how,
    });
    if let Enrolled::Replaced { old_fingerprint } = &outcome {
        details["old_fingerprint"] = serde_json::Value::from(old_fingerprint.as_str());
    }
    audit::append(
        &tx,
        &audit::Entry {
            at: now.to_string(),
            action: audit::action::ENROL,
            details,
        },
    )?;
    tx.commit().map_err(LedgerError::from)?;
    Ok(outcome)
}

/// Revoke a device: its bundles made at or after `since` are refused from
/// now on; its visits already in the ledger stay. A revocation can be moved
/// earlier, never later.
pub fn revoke(
    ledger: &Ledger,
    device_id: &str,
    since: &str,
    reason: Option<&str>,
    now: &str,
) -> Result<Device, DeviceError> {
    let Some(d) = device(ledger, device_id)? else {
        return Err(DeviceError::Unknown(device_id.to_string()));
    };
    if let Some(old) = &d.revoked_since
        && since > old.as_str()
    {
        return Err(DeviceError::RevokedEarlier {
            device_id: device_id.to_string(),
            since: old.clone(),
        });
    }
    let tx = ledger.conn().transaction().map_err(LedgerError::from)?;
    tx.execute(
        "UPDATE devices SET revoked_at = ?2, revoked_since = ?3,
                revoke_reason = coalesce(?4, revoke_reason)
             WHERE device_id = ?1",
        p![device_id, now, since, reason],
    )
    .map_err(LedgerError::from)?;
    audit::append(
        &tx,
        &audit::Entry {
            at: now.to_string(),
            action: audit::action::REVOKE,
            details: serde_json::json!({
                "device": device_id,
                "since": since,
                "reason": reason,
            }),
        },
    )?;
    tx.commit().map_err(LedgerError::from)?;
    Ok(device(ledger, device_id)?.unwrap_or(d))
}

/// A date or time given on the command line as the ledger compares it:
/// `YYYY-MM-DD` becomes `YYYY-MM-DDT00:00:00`; `YYYY-MM-DDTHH:MM:SS` (or
/// with a space) stays. `None` for anything else.
pub fn normalize_since(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let date_ok = b.len() >= 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10);
    if !date_ok {
        return None;
    }
    let month: u32 = s[5..7].parse().ok()?;
    let day: u32 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    match b.len() {
        10 => Some(format!("{s}T00:00:00")),
        19 if matches!(b[10], b'T' | b' ')
            && digits(11..13)
            && b[13] == b':'
            && digits(14..16)
            && b[16] == b':'
            && digits(17..19) =>
        {
            let h: u32 = s[11..13].parse().ok()?;
            let m: u32 = s[14..16].parse().ok()?;
            let sec: u32 = s[17..19].parse().ok()?;
            (h < 24 && m < 60 && sec < 60).then(|| format!("{}T{}", &s[..10], &s[11..]))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::SigningKey;

    fn card(id: &str, name: &str) -> DeviceCard {
        DeviceCard {
            device_id: id.into(),
            device_name: name.into(),
            recipient: Recipient::from(age::x25519::Identity::generate().to_public()),
            signing_key: SigningKey::generate().unwrap().public().clone(),
        }
    }

    #[test]
    fn enrolling_pins_a_card_once_and_another_needs_replace() {
        let tmp = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();
        let a = card("laptop-a", "wijkteam-noord-1");
        assert_eq!(
            enrol(&ledger, &a, "2026-12-01T09:00:00", false).unwrap(),
            Enrolled::New
        );
        assert_eq!(
            enrol(&ledger, &a, "2026-12-02T09:00:00", false).unwrap(),
            Enrolled::Unchanged
        );
        let d = device(&ledger, "laptop-a").unwrap().unwrap();
        assert_eq!(d.enrolled_at.as_deref(), Some("2026-12-01T09:00:00"));
        assert_eq!(d.verifying_key().as_ref(), Some(&a.signing_key));
        let b = card("laptop-a", "wijkteam-noord-1");
        assert!(matches!(
            enrol(&ledger, &b, "2026-12-03T09:00:00", false),
            Err(DeviceError::OtherCard { .. })
        ));
        assert_eq!(
            device(&ledger, "laptop-a")
                .unwrap()
                .unwrap()
                .verifying_key()
                .as_ref(),
            Some(&a.signing_key)
        );
        assert!(matches!(
            enrol(&ledger, &b, "2026-12-03T09:00:00", true).unwrap(),
            Enrolled::Replaced { .. }
        ));
        assert_eq!(
            device(&ledger, "laptop-a")
                .unwrap()
                .unwrap()
                .verifying_key()
                .as_ref(),
            Some(&b.signing_key)
        );
    }

    #[test]
    fn a_revocation_only_moves_earlier() {
        let tmp = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(&tmp.path().join("safevisit.sqlite")).unwrap();
        enrol(
            &ledger,
            &card("laptop-b", "wijkteam-zuid-2"),
            "2026-12-01T09:00:00",
            false,
        )
        .unwrap();
        assert!(matches!(
            revoke(&ledger, "laptop-x", "2026-12-04T00:00:00", None, "t"),
            Err(DeviceError::Unknown(_))
        ));
        let d = revoke(
            &ledger,
            "laptop-b",
            "2026-12-04T00:00:00",
            Some("kwijt"),
            "2026-12-05T10:00:00",
        )
        .unwrap();
        assert!(d.revokes("2026-12-04T00:00:00"));
        assert!(!d.revokes("2026-12-03T23:59:59"));
        assert!(matches!(
            revoke(&ledger, "laptop-b", "2026-12-05T00:00:00", None, "t"),
            Err(DeviceError::RevokedEarlier { .. })
        ));
        let d = revoke(&ledger, "laptop-b", "2026-12-02T00:00:00", None, "t2").unwrap();
        assert_eq!(d.revoked_since.as_deref(), Some("2026-12-02T00:00:00"));
        assert_eq!(d.revoke_reason.as_deref(), Some("kwijt"));
    }

    #[test]
    fn dates_are_normalized_or_refused() {
        assert_eq!(
            normalize_since("2026-12-04").as_deref(),
            Some("2026-12-04T00:00:00")
        );
        assert_eq!(
            normalize_since("2026-12-04 13:05:00").as_deref(),
            Some("2026-12-04T13:05:00")
        );
        assert_eq!(normalize_since("2026-13-04"), None);
        assert_eq!(normalize_since("gisteren"), None);
        assert_eq!(normalize_since("2026-12-04T25:00:00"), None);
    }
}
