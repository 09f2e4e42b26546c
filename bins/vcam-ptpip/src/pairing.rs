//! The pairing options: which client a body that pairs (a Canon EOS) accepts, where it
//! remembers it, and what its owner answers to a new one.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use transport_ptpip::pairing::{AcceptPolicy, ClientId, Pairing, format_guid, parse_guid};
use transport_ptpip::{ServerIdentity, SharedPairing};
use vcam_models::CameraOptions;

/// Where the pairing is kept by default: a hidden file in the card folder, which the camera
/// never lists.
pub(crate) const STATE_FILE: &str = ".vcam-ptpip-pairing";

/// Pairing options (they apply to bodies that pair, and make any body pair).
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct PairingArgs {
    /// Start paired with the client with this GUID (32 hex digits, dashes allowed): every
    /// other client is refused until the pairing is reset.
    #[arg(long, value_name = "GUID", value_parser = parse_guid)]
    paired_guid: Option<[u8; 16]>,
    /// What the owner answers on the body when a new client asks to pair: accept, refuse, or
    /// delay:SECS (accept after that long; the Init Command Ack waits).
    #[arg(long, value_name = "POLICY", default_value = "accept")]
    accept_policy: AcceptPolicy,
    /// Keep the pairing in this file (default: `.vcam-ptpip-pairing` in the card folder given
    /// with --fs, unless the card is read-only; otherwise in memory only).
    #[arg(long, value_name = "FILE")]
    pairing_file: Option<PathBuf>,
    /// Forget the pairing at start (the body's "reset pairing" menu).
    #[arg(long)]
    reset_pairing: bool,
    /// Serve any client, even on a body that pairs.
    #[arg(long, conflicts_with_all = ["paired_guid", "pairing_file", "reset_pairing"])]
    no_pairing: bool,
}

impl PairingArgs {
    /// The pairing the server decides with, or `None` to serve any client.
    pub(crate) fn build(
        &self,
        identity: &ServerIdentity,
        camera: &CameraOptions,
        shared_card: bool,
    ) -> anyhow::Result<Option<SharedPairing>> {
        let asked = self.paired_guid.is_some()
            || self.pairing_file.is_some()
            || self.accept_policy != AcceptPolicy::Accept;
        if self.no_pairing || !(identity.pairs_with_one_client || asked) {
            return Ok(None);
        }
        let file = self.pairing_file.clone().or_else(|| {
            camera
                .fs
                .as_ref()
                .filter(|_| !camera.read_only)
                // Cameras of one process sharing a card keep a pairing each.
                .map(|card| match shared_card {
                    false => card.join(STATE_FILE),
                    true => card.join(format!("{STATE_FILE}-{}", camera.model)),
                })
        });
        let mut pairing = Pairing::new(self.accept_policy);
        if let Some(file) = &file {
            pairing = pairing
                .with_state_file(file)
                .with_context(|| format!("reading {}", file.display()))?;
        }
        if self.reset_pairing {
            pairing
                .reset()
                .context("forgetting the pairing (--reset-pairing)")?;
        }
        if let Some(guid) = self.paired_guid {
            pairing
                .confirm(&ClientId::new(guid, ""))
                .context("saving the pairing of --paired-guid")?;
        }
        match pairing.paired() {
            Some(client) => tracing::info!(
                guid = %format_guid(&client.guid),
                name = %client.name,
                file = ?file,
                "paired"
            ),
            None => {
                tracing::info!(policy = %self.accept_policy, file = ?file, "not paired yet: the first client pairs")
            }
        }
        Ok(Some(Arc::new(Mutex::new(pairing))))
    }
}
