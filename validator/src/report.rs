//! Per-round outputs on disk: a CSV row per miner and round (`rounds.csv`) and the loss
//! curve of the global model (`loss.png`).
//!
//! CSV columns: `round, miner, uid, segment_audited, audit, reason, usefulness, weight,
//! validation_loss, fetch_s, audit_s, aggregate_s` — `audit` is `pass` or `fail`, `reason`
//! the [`AuditFailure`](arena_chain_client::types::AuditFailure) and a short detail,
//! `validation_loss` the loss of the checkpoint this validator aggregated for the next
//! round (the same on every row of a round), times in seconds.
//!
//! The PNG is drawn with `plotters`' bitmap backend **without text** (no font features, so
//! it needs no system fonts and builds offline): a white canvas, a grey frame, light grid
//! lines at every round, and the loss curve in blue with a dot per round, scaled to the
//! data's range; the numbers are in the CSV.

use std::io::Write;
use std::path::Path;

use plotters::prelude::*;

use crate::error::ValidatorError;

/// One CSV row.
#[derive(Clone, Debug, PartialEq)]
pub struct CsvRow {
	/// Round.
	pub round: u32,
	/// Miner hotkey (SS58).
	pub miner: String,
	/// Its UID (empty when not in the metagraph).
	pub uid: Option<u16>,
	/// Whether its segments were audited (not only manifest and update).
	pub segment_audited: bool,
	/// Whether every check passed.
	pub passed: bool,
	/// Failure reason and detail (empty on pass).
	pub reason: String,
	/// Usefulness, if computed.
	pub usefulness: Option<f64>,
	/// Weight given.
	pub weight: u16,
	/// Validation loss of the aggregated checkpoint.
	pub validation_loss: Option<f64>,
	/// Seconds spent fetching this miner's artifacts.
	pub fetch_s: f64,
	/// Seconds spent auditing and scoring it.
	pub audit_s: f64,
	/// Seconds spent aggregating the round (same on every row).
	pub aggregate_s: f64,
}

/// The CSV header line.
pub const CSV_HEADER: &str = "round,miner,uid,segment_audited,audit,reason,usefulness,weight,validation_loss,fetch_s,audit_s,aggregate_s";

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
	v.map(|v| v.to_string()).unwrap_or_default()
}

/// Quotes a CSV field when it needs it (commas, quotes, line breaks).
fn field(s: &str) -> String {
	if s.contains([',', '"', '\n', '\r']) {
		format!("\"{}\"", s.replace('"', "\"\""))
	} else {
		s.to_string()
	}
}

impl CsvRow {
	/// The row as one CSV line (no newline).
	pub fn line(&self) -> String {
		format!(
			"{},{},{},{},{},{},{},{},{},{:.3},{:.3},{:.3}",
			self.round,
			field(&self.miner),
			opt(self.uid),
			self.segment_audited,
			if self.passed { "pass" } else { "fail" },
			field(&self.reason),
			opt(self.usefulness),
			self.weight,
			opt(self.validation_loss),
			self.fetch_s,
			self.audit_s,
			self.aggregate_s,
		)
	}
}

/// Appends rows to `path`, writing the header first when the file is new.
pub fn append_csv(path: &Path, rows: &[CsvRow]) -> Result<(), ValidatorError> {
	let io = |e: std::io::Error| ValidatorError::io(path.display(), e);
	if let Some(dir) = path.parent() {
		std::fs::create_dir_all(dir).map_err(io)?;
	}
	let new = !path.exists();
	let mut f = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(path)
		.map_err(io)?;
	let mut text = String::new();
	if new {
		text.push_str(CSV_HEADER);
		text.push('\n');
	}
	for r in rows {
		text.push_str(&r.line());
		text.push('\n');
	}
	f.write_all(text.as_bytes()).map_err(io)
}

/// Draws the loss curve `(round, loss)` into a PNG at `path` (see the module docs). Nothing
/// is drawn for an empty history; non-finite losses are skipped.
pub fn plot_loss(path: &Path, history: &[(u32, f64)]) -> Result<(), ValidatorError> {
	let points: Vec<(f64, f64)> = history
		.iter()
		.filter(|(_, l)| l.is_finite())
		.map(|&(r, l)| (r as f64, l))
		.collect();
	if points.is_empty() {
		return Ok(());
	}
	if let Some(dir) = path.parent() {
		std::fs::create_dir_all(dir).map_err(|e| ValidatorError::io(path.display(), e))?;
	}
	let err = |e: &dyn std::fmt::Display| ValidatorError::io(path.display(), e);
	let (x0, x1) = points
		.iter()
		.fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
	let (y0, y1) = points
		.iter()
		.fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
	let xpad = ((x1 - x0) * 0.05).max(0.5);
	let ypad = ((y1 - y0) * 0.1).max(1e-3);
	let (x0, x1, y0, y1) = (x0 - xpad, x1 + xpad, y0 - ypad, y1 + ypad);
	let root = BitMapBackend::new(path, (800, 480)).into_drawing_area();
	root.fill(&WHITE).map_err(|e| err(&e))?;
	let mut chart = ChartBuilder::on(&root)
		.margin(24)
		.build_cartesian_2d(x0..x1, y0..y1)
		.map_err(|e| err(&e))?;
	let grey = RGBColor(200, 200, 200);
	let frame = vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)];
	chart
		.draw_series(LineSeries::new(
			frame,
			ShapeStyle::from(&BLACK).stroke_width(2),
		))
		.map_err(|e| err(&e))?;
	for &(r, _) in &points {
		chart
			.draw_series(LineSeries::new(vec![(r, y0), (r, y1)], &grey))
			.map_err(|e| err(&e))?;
	}
	chart
		.draw_series(LineSeries::new(
			points.clone(),
			ShapeStyle::from(&BLUE).stroke_width(3),
		))
		.map_err(|e| err(&e))?;
	chart
		.draw_series(points.iter().map(|&p| Circle::new(p, 5, BLUE.filled())))
		.map_err(|e| err(&e))?;
	root.present().map_err(|e| err(&e))?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	fn row(round: u32, reason: &str) -> CsvRow {
		CsvRow {
			round,
			miner: "5Grw".into(),
			uid: Some(1),
			segment_audited: true,
			passed: reason.is_empty(),
			reason: reason.into(),
			usefulness: Some(0.5),
			weight: 65535,
			validation_loss: Some(5.0),
			fetch_s: 0.1,
			audit_s: 0.2,
			aggregate_s: 0.3,
		}
	}

	#[test]
	fn csv_has_one_header_and_quotes_commas() {
		let dir = tempfile::tempdir().unwrap();
		let p = dir.path().join("r.csv");
		append_csv(&p, &[row(1, "")]).unwrap();
		append_csv(&p, &[row(2, "BadArtifact: a, b")]).unwrap();
		let text = std::fs::read_to_string(&p).unwrap();
		let lines: Vec<&str> = text.lines().collect();
		assert_eq!(lines.len(), 3);
		assert_eq!(lines[0], CSV_HEADER);
		assert!(lines[1].starts_with("1,5Grw,1,true,pass,,0.5,65535,5,"));
		assert!(lines[2].contains(",fail,\"BadArtifact: a, b\","));
	}

	#[test]
	fn loss_plot_is_a_png() {
		let dir = tempfile::tempdir().unwrap();
		let p = dir.path().join("loss.png");
		plot_loss(&p, &[(0, 5.5), (1, 5.0), (2, 4.2)]).unwrap();
		let bytes = std::fs::read(&p).unwrap();
		assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
	}
}
