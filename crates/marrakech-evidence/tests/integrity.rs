//! A damaged file is refused whole, naming the line and the reason; a file without records
//! is refused; a row that repeats an earlier row's key is rejected, naming both lines. For
//! every CSV format, from the same kinds of damage the outside test of issue 11 made.

use marrakech_core::countries::Reference;
use marrakech_evidence::corridor_averages::import_corridor_averages_csv;
use marrakech_evidence::ims::{import_ims_csv, import_ims_xlsx};
use marrakech_evidence::mmp::import_mmp_csv;
use marrakech_evidence::rpw::{import_rpw_csv, import_rpw_xlsx};
use marrakech_evidence::sdmx::import_sdmx_csv;
use marrakech_evidence::{Damage, ImportError, RejectedRow};

/// Records and rejected rows, or the error.
type Outcome = Result<(usize, Vec<RejectedRow>), ImportError>;

fn ims(bytes: &[u8]) -> Outcome {
    import_ims_csv(bytes, Reference::official()).map(|i| (i.records.len(), i.rejected))
}
fn rpw(bytes: &[u8]) -> Outcome {
    import_rpw_csv(bytes).map(|i| (i.records.len(), i.rejected))
}
fn corridors(bytes: &[u8]) -> Outcome {
    import_corridor_averages_csv(bytes).map(|i| (i.records.len(), i.rejected))
}
fn mmp(bytes: &[u8]) -> Outcome {
    import_mmp_csv(bytes).map(|i| (i.records.len(), i.rejected))
}
fn sdmx(bytes: &[u8]) -> Outcome {
    import_sdmx_csv(bytes).map(|i| (i.records.len(), i.rejected))
}

const IMS_HEADER: &str = "Index,\"Region, development group, country or area of destination\",Coverage,Data type,Location code of destination,\"Region, development group, country or area of origin\",Location code of origin,2020_total,2024_total,2020_males,2024_males,2020_females,2024_females\n";

/// 40 rows: Mexico (484) from 40 origins, 6 values each.
fn ims_text() -> String {
    let origins = [
        "4", "8", "12", "20", "24", "28", "32", "36", "40", "44", "48", "50", "51", "52", "56",
        "60", "64", "68", "70", "72", "76", "84", "90", "92", "96", "100", "104", "108", "112",
        "116", "120", "124", "132", "140", "144", "148", "152", "156", "170", "174",
    ];
    let mut text = IMS_HEADER.to_owned();
    for (i, o) in origins.iter().enumerate() {
        text.push_str(&format!(
            "{},Mexico,,B,484,\"Somewhere, far\",{o},{},{},{},{},{},{}\n",
            i + 1,
            1000 + i,
            2000 + i,
            500 + i,
            1000 + i,
            500,
            1000
        ));
    }
    text
}

fn rpw_text() -> String {
    let mut text = "id,period,source_code,destination_code,firm,payment instrument,access point,speed actual,cc1 total cost %,transparent,receiving network coverage\n".to_owned();
    for i in 0..30 {
        text.push_str(&format!(
            "{},2024_3Q,USA,MEX,\"Firm {i}, Inc.\",cash,agent,Same day,{}.5,yes,Nationwide\n",
            i + 1,
            3 + i % 5
        ));
    }
    text
}

fn corridors_text() -> String {
    let mut text = "Sending Countries Name,Sending Countries Code,Series Name,Series Code,Receiving Countries Name,Receiving Countries Code,2020Q1 [YR2020Q1],2020Q3 [YR2020Q3]\n".to_owned();
    for d in [
        "MEX", "GTM", "HND", "SLV", "NIC", "CRI", "PAN", "COL", "ECU", "PER",
    ] {
        text.push_str(&format!(
            "United States,USA,\"Average Total Cost to remit in corridor, USD 200\",ATCR.CORR,Somewhere,{d},5.5,..\n"
        ));
    }
    text.push_str(",,,,,,,\nData from database: Remittance Prices Worldwide (Corridors),,,,,,,\n");
    text
}

fn mmp_text() -> String {
    let mut text = "\"Web ID\",\"Region of Incident\",\"Reported Date\",\"Reported Year\",\"Reported Month\",\"Number Dead\",\"Minimum Estimated Number of Missing\",\"Total Dead and Missing\",\"Number of Survivors\",\"Number of Females\",\"Number of Males\",\"Number of Children\",\"Cause of Death\",\"Location Description\",\"Information Source\",\"Location Coordinates\",\"Migration Route\",\"URL\",\"UNSD Geographical Grouping\",\"Source Quality\"\r\n".to_owned();
    for i in 0..20 {
        text.push_str(&format!(
            "\"{}\",\"Mediterranean\",\"January {:02}, 2020\",\"2020\",\"Jan\",\"1\",\"\",\"1\",\"\",\"\",\"\",\"\",\"Drowning\",\"Off the coast, somewhere\",\"IOM\",\"38.6, 26.6\",\"Eastern Mediterranean\",\"\",\"Uncategorized\",\"4\"\r\n",
            52000 + i,
            1 + i
        ));
    }
    text
}

fn sdmx_text() -> String {
    let mut text = "DATAFLOW,SERIES,REF_AREA,SEX,TIME_PERIOD,OBS_VALUE,COMMENT\n".to_owned();
    for year in 2000..2024 {
        text.push_str(&format!(
            "UNSD:DF_SDG_GLH(1.0),SI_RMT_COST,404,_T,{year},6.5,\"a note, with a comma\"\n"
        ));
    }
    text
}

struct Format {
    name: &'static str,
    text: String,
    import: fn(&[u8]) -> Outcome,
    /// A line number (1-based) of a data row to repeat.
    repeat: usize,
    /// Lines under the data (DataBank's footer).
    footer: usize,
}

fn formats() -> Vec<Format> {
    vec![
        Format {
            name: "ims",
            text: ims_text(),
            import: ims,
            repeat: 14,
            footer: 0,
        },
        Format {
            name: "rpw",
            text: rpw_text(),
            import: rpw,
            repeat: 5,
            footer: 0,
        },
        Format {
            name: "rpw-corridors",
            text: corridors_text(),
            import: corridors,
            repeat: 4,
            footer: 2,
        },
        Format {
            name: "mmp",
            text: mmp_text(),
            import: mmp,
            repeat: 7,
            footer: 0,
        },
        Format {
            name: "sdmx-csv",
            text: sdmx_text(),
            import: sdmx,
            repeat: 3,
            footer: 0,
        },
    ]
}

fn damage(outcome: Outcome, name: &str) -> (u64, Damage) {
    match outcome {
        Err(ImportError::Damaged { line, damage, .. }) => (line, damage),
        Err(other) => panic!("{name}: refused, but for another reason: {other}"),
        Ok((records, rejected)) => panic!(
            "{name}: accepted with {records} records and {} rejected",
            rejected.len()
        ),
    }
}

#[test]
fn every_sample_imports_whole() {
    for f in formats() {
        let (records, rejected) = (f.import)(f.text.as_bytes()).unwrap();
        assert!(rejected.is_empty(), "{}: {rejected:?}", f.name);
        assert!(records >= 10, "{}: {records}", f.name);
    }
}

#[test]
fn a_file_cut_mid_line_is_refused() {
    for f in formats() {
        let lines: Vec<&str> = f.text.split_inclusive('\n').collect();
        // Half the file, then the first few characters of the next line.
        let half = lines.len() / 2;
        let cut = format!("{}{}", lines[..half].concat(), &lines[half][..7]);
        let (line, damage) = damage((f.import)(cut.as_bytes()), f.name);
        assert_eq!(line, half as u64 + 1, "{}", f.name);
        match damage {
            Damage::EndsInsideRecord { fields, expected } => {
                assert!(fields < expected, "{}", f.name)
            }
            // MMP quotes every field: cut inside one, its quote never closes.
            Damage::UnclosedQuote => assert_eq!(f.name, "mmp"),
            other => panic!("{}: {other}", f.name),
        }
        // Cut at a line's end, the file is well formed (the shrink check of the import
        // command is what catches it).
        let cut = lines[..half].concat();
        assert!((f.import)(cut.as_bytes()).is_ok(), "{}", f.name);
    }
}

#[test]
fn a_quote_never_closed_is_refused_with_its_line() {
    for f in formats() {
        let mut lines: Vec<String> = f.text.split_inclusive('\n').map(str::to_owned).collect();
        // A quote opening a field of line 4 (the third data row) that nothing closes: the
        // fields after it, and every later line, would become one field.
        let comma = lines[3].find(',').unwrap();
        let (head, tail) = lines[3].split_at(comma + 1);
        // Close no other quote after it: drop the quotes after it, and those of later lines.
        lines[3] = format!("{head}\"{}", tail.replace('"', ""));
        for later in lines.iter_mut().skip(4) {
            *later = later.replace('"', "");
        }
        let text = lines.concat();
        let (line, damage) = damage((f.import)(text.as_bytes()), f.name);
        assert_eq!((line, damage), (4, Damage::UnclosedQuote), "{}", f.name);
    }
}

#[test]
fn nul_bytes_are_refused_with_their_line() {
    for f in formats() {
        let lines: Vec<&str> = f.text.split_inclusive('\n').collect();
        let text = format!(
            "{}{}\0\0\0\0\0{}",
            lines[..6].concat(),
            &lines[6][..3],
            &lines[6][3..]
        ) + &lines[7..].concat();
        let (line, damage) = damage((f.import)(text.as_bytes()), f.name);
        assert_eq!(
            (line, damage),
            (7, Damage::NulBytes { count: 5 }),
            "{}",
            f.name
        );
    }
}

#[test]
fn invalid_utf8_is_refused_with_its_line() {
    for f in formats() {
        let lines: Vec<&str> = f.text.split_inclusive('\n').collect();
        let mut bytes = lines[..4].concat().into_bytes();
        // "Bogotá" written in Latin-1.
        bytes.extend_from_slice(&lines[4].as_bytes()[..2]);
        bytes.extend_from_slice(b"Bogot\xe1");
        bytes.extend_from_slice(&lines[4].as_bytes()[2..]);
        bytes.extend_from_slice(lines[5..].concat().as_bytes());
        let (line, damage) = damage((f.import)(&bytes), f.name);
        assert_eq!(line, 5, "{}", f.name);
        assert!(matches!(damage, Damage::NotUtf8(_)), "{}: {damage}", f.name);
    }
}

#[test]
fn a_header_alone_is_refused() {
    for f in formats() {
        let header = f.text.split_inclusive('\n').next().unwrap();
        match (f.import)(header.as_bytes()) {
            Err(e @ ImportError::NoRecords { rows: 0, .. }) => {
                assert!(e.to_string().contains("no data rows"), "{}: {e}", f.name)
            }
            other => panic!("{}: {:?}", f.name, other.map(|o| o.0)),
        }
    }
    // Rows, none of them good: refused too, with the counts.
    let bad = format!("{IMS_HEADER}1,Mexico,,Q,484,Guatemala,320,1,2,3,4,5,6\n");
    let err = ims(bad.as_bytes()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "undesa-ims: none of the 1 data row gave a record (1 rejected, 0 skipped): nothing to import"
    );
}

#[test]
fn a_repeated_row_is_rejected_naming_both_lines() {
    for f in formats() {
        let lines: Vec<&str> = f.text.split_inclusive('\n').collect();
        let (good, _) = (f.import)(f.text.as_bytes()).unwrap();
        // The row of line `repeat` again, as the file's last data line.
        let data_end = lines.len() - 1 - f.footer;
        let mut text = lines[..=data_end].concat();
        text.push_str(lines[f.repeat - 1]);
        text.push_str(&lines[data_end + 1..].concat());
        let (records, rejected) = (f.import)(text.as_bytes()).unwrap();
        assert_eq!(records, good, "{}", f.name);
        assert_eq!(rejected.len(), 1, "{}: {rejected:?}", f.name);
        let message = rejected[0].to_string();
        let expected = format!("line {}: repeats line {} (", data_end + 2, f.repeat);
        assert!(message.starts_with(&expected), "{}: {message}", f.name);
    }
}

#[test]
fn repeated_ims_rows_name_the_key() {
    // The outside test's file: every row 20 times. Each repeat is rejected; the records are
    // those of one copy.
    let text = ims_text();
    let body: String = text.split_inclusive('\n').skip(1).collect();
    let twenty = format!("{IMS_HEADER}{}", body.repeat(20));
    let import = import_ims_csv(twenty.as_bytes(), Reference::official()).unwrap();
    assert_eq!(import.records.len(), 40 * 6);
    assert_eq!(import.rejected.len(), 40 * 19);
    assert_eq!(import.summaries[0].duplicates, 40 * 19);
    assert_eq!(
        import.rejected[0].to_string(),
        "line 42: repeats line 2 (destination 484, origin 004, sex _T, 2020)"
    );
    // The same key with other values (a corrected figure) is a repeat too.
    let changed = format!("{text}99,Mexico,,B,484,Guatemala,4,1,2,3,4,5,6\n");
    let import = import_ims_csv(changed.as_bytes(), Reference::official()).unwrap();
    assert_eq!(
        import.rejected[0].to_string(),
        "line 42: repeats line 2 (destination 484, origin 004, sex _T, 2020)"
    );
}

fn workbook(sheets: &[(&str, Vec<Vec<&str>>)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let sheet = wb.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                if let Ok(n) = cell.parse::<f64>() {
                    sheet.write_number(r as u32, c as u16, n).unwrap();
                } else if !cell.is_empty() {
                    sheet.write_string(r as u32, c as u16, *cell).unwrap();
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn workbooks_are_held_to_the_same_rules() {
    let header = vec![
        "Index",
        "Location code of destination",
        "Location code of origin",
        "2024_total",
    ];
    // A sheet with its header only.
    let bytes = workbook(&[("Table 1", vec![header.clone()])]);
    let err =
        import_ims_xlsx(std::io::Cursor::new(bytes), None, Reference::official()).unwrap_err();
    assert!(
        matches!(err, ImportError::NoRecords { rows: 0, .. }),
        "{err}"
    );
    // A repeated row: rows are numbered as the sheet numbers them.
    let bytes = workbook(&[(
        "Table 1",
        vec![
            header.clone(),
            vec!["1", "484", "320", "10"],
            vec!["2", "484", "340", "20"],
            vec!["3", "484", "320", "30"],
        ],
    )]);
    let import = import_ims_xlsx(std::io::Cursor::new(bytes), None, Reference::official()).unwrap();
    assert_eq!(import.records.len(), 2);
    assert_eq!(
        import.rejected[0].to_string(),
        "sheet `Table 1`, row 4: repeats row 2 (destination 484, origin 320, sex _T, 2024)"
    );
    // A workbook cut short is no workbook.
    let bytes = workbook(&[("Table 1", vec![header, vec!["1", "484", "320", "10"]])]);
    let cut = bytes[..bytes.len() / 2].to_vec();
    assert!(matches!(
        import_ims_xlsx(std::io::Cursor::new(cut), None, Reference::official()),
        Err(ImportError::Xlsx { .. })
    ));
    // RPW: a row of one data sheet may not repeat a row of the other.
    let rpw_header = vec![
        "id",
        "period",
        "source_code",
        "destination_code",
        "firm",
        "cc1 total cost %",
        "transparent",
    ];
    let bytes = workbook(&[
        (
            "Dataset (up to Q1 2016)",
            vec![
                rpw_header.clone(),
                vec!["7", "2016_1Q", "USA", "MEX", "A", "5", "yes"],
            ],
        ),
        (
            "Dataset (from Q2 2016)",
            vec![
                rpw_header,
                vec!["8", "2016_2Q", "USA", "MEX", "A", "5", "yes"],
                vec!["7", "2016_1Q", "USA", "MEX", "B", "6", "yes"],
            ],
        ),
    ]);
    let import = import_rpw_xlsx(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(import.records.len(), 2);
    assert_eq!(
        import.rejected[0].to_string(),
        "sheet `Dataset (from Q2 2016)`, row 3: repeats sheet `Dataset (up to Q1 2016)`, row 2 (2016-Q1, id 7)"
    );
}
