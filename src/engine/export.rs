//! The core's exporters (Terraform, the aliyun CLI script) for the browser's Export menu. Only
//! the engine's Web Worker calls [`export_text`], so that the exporters are in the worker's
//! module and not in the page's, which has a size budget for the first load.

use serde::{Deserialize, Serialize};

use super::parse_sglab;

/// A format the worker exports a topology to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    /// Terraform for the `aliyun/alicloud` provider.
    Terraform,
    /// A shell script of `aliyun ecs` commands.
    AliyunCli,
}

impl ExportFormat {
    /// The downloaded file's name.
    pub fn file_name(self) -> &'static str {
        match self {
            ExportFormat::Terraform => "sglab.tf",
            ExportFormat::AliyunCli => "sglab-aliyun.sh",
        }
    }

    /// The downloaded file's media type.
    pub fn mime(self) -> &'static str {
        match self {
            ExportFormat::Terraform => "text/plain",
            ExportFormat::AliyunCli => "text/x-shellscript",
        }
    }

    /// The format in words, for notices.
    pub fn words(self) -> &'static str {
        match self {
            ExportFormat::Terraform => "Terraform",
            ExportFormat::AliyunCli => "aliyun CLI script",
        }
    }
}

/// The topology's sglab JSON exported to `format`, or why it could not be read.
pub fn export_text(json: &str, format: ExportFormat) -> Result<String, Vec<String>> {
    let (topology, _) = parse_sglab(json, "export").map_err(|diagnostics| {
        diagnostics
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    })?;
    Ok(match format {
        ExportFormat::Terraform => sglab_core::export::terraform(&topology),
        ExportFormat::AliyunCli => sglab_core::export::aliyun_cli(&topology),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_exports_what_the_core_writes() {
        let (topology, _) = crate::engine::first_example();
        let json = crate::engine::to_json(&topology);
        assert_eq!(
            export_text(&json, ExportFormat::Terraform),
            Ok(sglab_core::export::terraform(&topology))
        );
        assert_eq!(
            export_text(&json, ExportFormat::AliyunCli),
            Ok(sglab_core::export::aliyun_cli(&topology))
        );
        assert!(export_text("{", ExportFormat::Terraform).is_err());
    }
}
