//! Workbook layouts, written here with rust_xlsxwriter: the original UN DESA Table 1, the
//! RPW workbook (generated, both sheets), and streaming behaviour.

use std::io::Cursor;
use std::ops::ControlFlow;

use marrakech_core::countries::Reference;
use marrakech_evidence::generate::{RpwGenerator, HEADER_2016};
use marrakech_evidence::ims::import_ims_xlsx;
use marrakech_evidence::mmp::read_mmp_xlsx;
use marrakech_evidence::rpw::{
    import_rpw_csv, import_rpw_xlsx, read_rpw_xlsx, RpwRecord, SHEET_LEGACY,
};
use marrakech_evidence::{Import, ImportError, Quarter, RejectedRow, Sex};
use rust_xlsxwriter::Workbook;

/// UN DESA's Table 1 layout: title rows, then block headings over a header row that starts
/// with `Index`, bare years under each block. Two years only, to keep it small.
fn ims_workbook(headings: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Table 1").unwrap();
    ws.write_string(0, 0, "International Migrant Stock 2024")
        .unwrap();
    ws.write_string(
        1,
        0,
        "Table 1. International migrant stock at mid-year by sex",
    )
    .unwrap();
    if headings {
        ws.write_string(4, 7, "Total").unwrap();
        ws.write_string(4, 9, "Males").unwrap();
        ws.write_string(4, 11, "Females").unwrap();
    }
    let header = [
        "Index",
        "Region, development group, country or area of destination",
        "Notes of destination",
        "Type of data of destination",
        "Location code of destination",
        "Region, development group, country or area of origin",
        "Location code of origin",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(5, c as u16, *h).unwrap();
    }
    for (c, y) in [1990.0, 2024.0, 1990.0, 2024.0, 1990.0, 2024.0]
        .iter()
        .enumerate()
    {
        ws.write_number(5, 7 + c as u16, *y).unwrap();
    }
    // Destination name and code, origin name and code, then the 6 values.
    type Row<'a> = (&'a str, f64, &'a str, f64, [Option<f64>; 6]);
    let rows: [Row; 3] = [
        ("WORLD", 900.0, "World", 900.0, [Some(10.0); 6]),
        (
            "Kenya",
            404.0,
            "Uganda",
            800.0,
            [
                Some(100.0),
                Some(150.0),
                Some(40.0),
                Some(70.0),
                Some(60.0),
                Some(80.0),
            ],
        ),
        (
            "Kenya",
            404.0,
            "Germany",
            276.0,
            [Some(10.0), None, Some(6.0), None, Some(4.0), None],
        ),
    ];
    for (r, (dest, dcode, origin, ocode, values)) in rows.iter().enumerate() {
        let row = 6 + r as u32;
        ws.write_number(row, 0, r as f64 + 1.0).unwrap();
        ws.write_string(row, 1, *dest).unwrap();
        ws.write_string(row, 3, "B R").unwrap();
        ws.write_number(row, 4, *dcode).unwrap();
        ws.write_string(row, 5, *origin).unwrap();
        ws.write_number(row, 6, *ocode).unwrap();
        for (c, v) in values.iter().enumerate() {
            if let Some(v) = v {
                ws.write_number(row, 7 + c as u16, *v).unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn ims_original_layout_with_block_headings() {
    for headings in [true, false] {
        let import = import_ims_xlsx(
            Cursor::new(ims_workbook(headings)),
            None,
            Reference::official(),
        )
        .unwrap();
        let s = &import.summaries[0];
        assert_eq!(s.layout, "ims-table1-xlsx");
        assert_eq!((s.header_line, s.skipped, s.rejected), (6, 1, 0));
        // Kenya from Uganda: 6 values; from Germany: 3 (2024 blank).
        assert_eq!(import.records.len(), 9);
        let get = |origin: u16, year: u16, sex: Sex| {
            import
                .records
                .iter()
                .find(|o| {
                    o.counterpart_area.value() == origin && o.time_period == year && o.sex == sex
                })
                .map(|o| o.value)
        };
        assert_eq!(get(800, 2024, Sex::Male), Some(70.0));
        assert_eq!(get(800, 1990, Sex::Female), Some(60.0));
        assert_eq!(get(276, 2024, Sex::Total), None);
        assert_eq!(import.records[0].data_type.as_deref(), Some("B R"));
        assert_eq!(import.records[0].line, 8);
    }
}

#[test]
fn a_workbook_without_the_table_names_the_missing_columns() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Index").unwrap();
    ws.write_string(0, 1, "Country").unwrap();
    let err = import_ims_xlsx(
        Cursor::new(wb.save_to_buffer().unwrap()),
        None,
        Reference::official(),
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Layout { .. }));
    assert_eq!(
        err.to_string(),
        "undesa-ims: wrong layout, missing columns `Location code of destination`, \
         `Location code of origin`, `year columns (e.g. `2024_total`)`"
    );
}

#[test]
fn generated_rpw_workbook_round_trips() {
    let g = RpwGenerator::new(3_000, 5);
    let mut buffer = Cursor::new(Vec::new());
    g.write_workbook(&mut buffer).unwrap();
    buffer.set_position(0);
    let import = import_rpw_xlsx(buffer).unwrap();
    assert!(import.rejected.is_empty(), "{:?}", import.rejected);
    let s = &import.summaries[0];
    assert_eq!(s.layout, "rpw-2016");
    assert_eq!(s.sheet.as_deref(), Some("Dataset (from Q2 2016)"));
    assert_eq!(s.unlabeled_columns, 2, "two trailing unlabeled columns");
    assert!(s.unknown_columns.is_empty());
    let expected: Vec<RpwRecord> = g.records().collect();
    assert_eq!(import.records, expected);

    // The same rows as CSV.
    let mut csv = Vec::new();
    g.write_csv(&mut csv).unwrap();
    let from_csv = import_rpw_csv(csv.as_slice()).unwrap();
    assert_eq!(from_csv.records, expected);
}

#[test]
fn both_rpw_sheets_are_read_in_order() {
    let mut wb = Workbook::new();
    let legacy = wb.add_worksheet();
    legacy.set_name(SHEET_LEGACY).unwrap();
    let header = [
        "PERIOD",
        "SOURCE_CODE",
        "SOURCE_NAME",
        "DESTINATION_CODE",
        "DESTINATION_NAME",
        "FIRM",
        "FIRM_TYPE",
        "PAYMENT INSTRUMENT",
        "SPEED ACTUAL",
        "CC1 LCU AMOUNT",
        "CC1 DENOMINATION AMOUNT",
        "CC1 LCU CODE",
        "CC1 LCU FEE",
        "CC1 LCU FX RATE",
        "CC1 FX MARGIN",
        "CC1 TOTAL COST %",
        "CC2 LCU AMOUNT",
        "CC2 DENOMINATION AMOUNT",
        "CC2 LCU CODE",
        "CC2 LCU FEE",
        "CC2 LCU FX RATE",
        "CC2 FX MARGIN",
        "CC2 TOTAL COST %",
        "INTER LCU BANK FX",
        "TRANSPARENT",
        "NOTE1",
        "NOTE2",
        "PICK-UP METHOD",
        "DATE",
        "CORRIDOR",
    ];
    assert_eq!(header.len(), 30);
    for (c, h) in header.iter().enumerate() {
        legacy.write_string(0, c as u16, *h).unwrap();
    }
    for (r, period) in ["Q1 2011", "2011Q3", "2011_1Q", "2012 Q5"]
        .iter()
        .enumerate()
    {
        let row = r as u32 + 1;
        legacy.write_string(row, 0, *period).unwrap();
        legacy.write_string(row, 1, "USA").unwrap();
        legacy.write_string(row, 3, "MEX").unwrap();
        // One bank per row: two rows of one bank's same service in one quarter (2011Q1 is
        // spelt twice) would repeat a key.
        legacy
            .write_string(row, 5, format!("Old Bank {row}"))
            .unwrap();
        legacy.write_string(row, 8, "3-5 days").unwrap();
        legacy.write_number(row, 15, 7.25).unwrap();
        legacy.write_string(row, 24, "Yes").unwrap();
    }
    let current = wb.add_worksheet();
    current.set_name("Dataset (from Q2 2016)").unwrap();
    for (c, h) in HEADER_2016.iter().enumerate() {
        current.write_string(0, c as u16, *h).unwrap();
    }
    current.write_string(1, 1, "2016_2Q").unwrap();
    current.write_string(1, 41, "KENTZA").unwrap();
    current.write_string(1, 14, "New Remit").unwrap();
    current.write_number(1, 25, 5.5).unwrap();
    current.write_string(1, 34, "no").unwrap();
    wb.add_worksheet().set_name("Notes").unwrap();
    let import = import_rpw_xlsx(Cursor::new(wb.save_to_buffer().unwrap())).unwrap();
    let layouts: Vec<&str> = import.summaries.iter().map(|s| s.layout.as_str()).collect();
    assert_eq!(layouts, ["rpw-legacy", "rpw-2016"]);
    let periods: Vec<String> = import
        .records
        .iter()
        .map(|r| r.period.to_string())
        .collect();
    assert_eq!(periods, ["2011Q1", "2011Q3", "2011Q1", "2016Q2"]);
    assert_eq!(import.records[3].corridor.to_string(), "KENTZA");
    assert_eq!(import.records[3].transparent, Some(false));
    assert_eq!(
        import
            .rejected
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>(),
        ["sheet `Dataset (up to Q1 2016)`, row 5: period `2012 Q5` is not a quarter"]
    );
    assert_eq!(Quarter::parse("2016_2Q").unwrap(), import.records[3].period);
}

#[test]
fn a_workbook_without_data_sheets_says_which_it_wanted() {
    let mut wb = Workbook::new();
    wb.add_worksheet().set_name("Cover").unwrap();
    wb.add_worksheet().set_name("Notes").unwrap();
    let err = import_rpw_xlsx(Cursor::new(wb.save_to_buffer().unwrap())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "rpw: no sheet named `Dataset (from Q2 2016)`, `Dataset (up to Q1 2016)`; the workbook \
         has `Cover`, `Notes`"
    );
}

#[test]
fn the_sink_can_stop_an_import() {
    let g = RpwGenerator::new(500, 1);
    let mut buffer = Cursor::new(Vec::new());
    g.write_workbook(&mut buffer).unwrap();
    buffer.set_position(0);
    let mut seen = 0;
    let mut sink = |row: Result<RpwRecord, RejectedRow>| {
        assert!(row.is_ok());
        seen += 1;
        if seen == 10 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let summaries = read_rpw_xlsx(buffer, &mut sink).unwrap();
    assert_eq!(seen, 10);
    assert!(summaries[0].stopped);
    assert_eq!(summaries[0].records, 10);
}

#[test]
fn mmp_from_a_workbook() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let header = [
        "Main ID",
        "Incident ID",
        "Incident Type",
        "Region of Incident",
        "Incident Date",
        "Incident Year",
        "Month",
        "Number of Dead",
        "Minimum Estimated Number of Missing",
        "Total Number of Dead and Missing",
        "Number of Survivors",
        "Number of Females",
        "Number of Males",
        "Number of Children",
        "Country of Origin",
        "Region of Origin",
        "Cause of Death",
        "Country of Incident",
        "Migration Route",
        "Location of Incident",
        "Coordinates",
        "UNSD Geographical Grouping",
        "Information Source",
        "URL",
        "Source Quality",
        "Extra",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "2024.MMP1").unwrap();
    ws.write_string(1, 1, "2024.MMP1").unwrap();
    ws.write_string(1, 3, "Mediterranean").unwrap();
    ws.write_string(1, 4, "2024-06-01").unwrap();
    ws.write_number(1, 5, 2024.0).unwrap();
    ws.write_number(1, 7, 0.0).unwrap();
    ws.write_number(1, 8, 12.0).unwrap();
    ws.write_number(1, 9, 12.0).unwrap();
    ws.write_string(1, 14, "Eritrea;Ethiopia").unwrap();
    let mut import: Import<marrakech_evidence::mmp::Incident> = Import::default();
    let summary = read_mmp_xlsx(Cursor::new(wb.save_to_buffer().unwrap()), &mut import).unwrap();
    assert_eq!(summary.layout, "mmp-alldata");
    assert_eq!(summary.unknown_columns, ["Extra"]);
    let i = &import.records[0];
    assert_eq!(
        (i.dead, i.missing, i.total),
        (Some(0), Some(12), Some(12)),
        "0 is zero"
    );
    assert_eq!(i.origin_countries.len(), 2);
}
