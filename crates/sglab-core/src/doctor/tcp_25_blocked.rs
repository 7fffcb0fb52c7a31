//! `tcp-25-blocked`: outbound TCP 25 to outside the VPC is blocked by the platform.

use super::context::Query;
use super::{Diagnosis, DiagnosisCode};

impl<'t> Query<'_, 't> {
    pub(super) fn tcp_25_blocked(&self) -> Diagnosis {
        Diagnosis {
            code: DiagnosisCode::Tcp25Blocked,
            summary: "Outbound TCP 25 to addresses outside the VPC is blocked by the platform, whatever the rules say.".to_owned(),
            evidence: vec![format!(
                "{} sends to {} outside its VPC on TCP 25",
                self.source.name, self.target.name
            )],
            related: Vec::new(),
            fix: None,
            fix_text: "no security-group rule opens it: send mail on port 465 (SMTP over TLS) or through a mail service on port 80, or apply to Alibaba Cloud for unblocking port 25".to_owned(),
        }
    }
}
