//! The evidence base's data sets in the store (issue 11), on SQLite always and on PostgreSQL
//! when `MARRAKECH_TEST_POSTGRES_URL` is set: every data set's key is enforced by the store;
//! a file imported again under another release name is renamed, not refused or doubled; what
//! a release covers is read back for the import's shrink check; the lock around loading the
//! bundled data sets excludes a second holder until released.

use marrakech_store::statistics::{
    DatasetKind, ImportCounts, IncidentRow, NewDataset, ObservationRow, PriceRow,
};
use marrakech_store::testing::TestStore;
use marrakech_store::{backend_tests, AuditContext, Backend};

fn dataset(kind: DatasetKind, sha: &str) -> NewDataset {
    NewDataset {
        kind,
        title: "t".into(),
        source: "s".into(),
        licence: "CC BY 4.0".into(),
        url: None,
        attribution: "a".into(),
        file_name: "f.csv".into(),
        file_sha256: sha.into(),
        structure: None,
        bundled: false,
    }
}

fn stock(destination: &str, origin: &str, year: &str, value: f64) -> ObservationRow {
    let mut row = ObservationRow::new("SM_POP_TOTL", destination, year, Some(value));
    row.counterpart_area = origin.into();
    row
}

fn price(line: u64, key: &str) -> PriceRow {
    PriceRow {
        line,
        key: key.into(),
        period: "2024-Q3".into(),
        source_iso3: "USA".into(),
        destination_iso3: "MEX".into(),
        firm: "Firm".into(),
        firm_type: None,
        instrument: None,
        access_point: None,
        speed: None,
        pickup_method: None,
        network_coverage: None,
        lcu_code: None,
        cc1_fee: None,
        cc1_fx_margin: None,
        cc1_total: Some(5.0),
        cc2_fee: None,
        cc2_fx_margin: None,
        cc2_total: None,
        transparent: Some(true),
    }
}

fn incident(line: u64, id: &str) -> IncidentRow {
    IncidentRow {
        line,
        incident_id: id.into(),
        main_id: None,
        incident_type: None,
        region: "Mediterranean".into(),
        region_presumed: false,
        incident_date: Some("2020-01-05".into()),
        year: 2020,
        month: Some(1),
        dead: Some(1),
        missing: None,
        total: Some(1),
        survivors: None,
        females: None,
        males: None,
        children: None,
        origin_countries: None,
        origin_regions: None,
        cause_of_death: None,
        country_of_incident: Some("Libya".into()),
        route: None,
        location: None,
        latitude: None,
        longitude: None,
        unsd_grouping: None,
        information_source: None,
        url: None,
        source_quality: None,
    }
}

fn counts(records: u64) -> ImportCounts {
    ImportCounts {
        rows_read: records,
        records,
        rejected: 0,
    }
}

/// A second observation with the key of a stored one fails the import, which then changes
/// nothing: the release stored before stays whole.
async fn the_store_refuses_a_repeated_observation(store: &TestStore) {
    let ctx = AuditContext::system();
    let mut first = store
        .begin_dataset_import(&dataset(DatasetKind::Ims, "a"))
        .await
        .unwrap();
    first
        .observations(&[
            stock("484", "320", "2024", 10.0),
            stock("484", "340", "2024", 20.0),
        ])
        .await
        .unwrap();
    first.finish(&ctx, "2024", counts(2)).await.unwrap();

    let mut again = store
        .begin_dataset_import(&dataset(DatasetKind::Ims, "b"))
        .await
        .unwrap();
    again
        .observations(&[stock("484", "320", "2024", 10.0)])
        .await
        .unwrap();
    let repeated = again
        .observations(&[stock("484", "320", "2024", 99.0)])
        .await;
    assert!(repeated.is_err(), "the store took a repeated observation");
    drop(again);
    let stored = store
        .latest_dataset(DatasetKind::Ims)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.file_sha256.as_str(), stored.records), ("a", 2));
    assert_eq!(store.observations_of(&stored.id).await.unwrap().len(), 2);

    // SDMX observations differing only in a dimension without a column of its own are two.
    let mut sdmx = store
        .begin_dataset_import(&dataset(DatasetKind::Sdmx, "c"))
        .await
        .unwrap();
    let mut urban = ObservationRow::new("SI_POV", "404", "2020", Some(1.0));
    urban.series_key = "DF(1.0) REF_AREA=404.URBANISATION=U @ 2020".into();
    let mut rural = urban.clone();
    rural.series_key = "DF(1.0) REF_AREA=404.URBANISATION=R @ 2020".into();
    sdmx.observations(&[urban.clone(), rural]).await.unwrap();
    assert!(sdmx.observations(&[urban]).await.is_err());
}

async fn the_store_refuses_a_repeated_price_or_incident(store: &TestStore) {
    let mut prices = store
        .begin_dataset_import(&dataset(DatasetKind::Rpw, "p"))
        .await
        .unwrap();
    prices
        .prices(&[price(2, "2024-Q3, id 1"), price(3, "2024-Q3, id 2")])
        .await
        .unwrap();
    assert!(prices.prices(&[price(4, "2024-Q3, id 1")]).await.is_err());
    drop(prices);

    let mut incidents = store
        .begin_dataset_import(&dataset(DatasetKind::Mmp, "m"))
        .await
        .unwrap();
    incidents
        .incidents(&[incident(2, "52682"), incident(3, "52683")])
        .await
        .unwrap();
    assert!(incidents.incidents(&[incident(9, "52682")]).await.is_err());
    drop(incidents);
    assert!(store.datasets().await.unwrap().is_empty());
}

/// The same bytes imported under a corrected release name replace the misnamed release, when
/// the import says it is a rename; without that, releases are only replaced by name.
async fn the_same_file_under_another_release_is_a_rename(store: &TestStore) {
    let ctx = AuditContext::system();
    let mut other = store
        .begin_dataset_import(&dataset(DatasetKind::Mmp, "same-bytes"))
        .await
        .unwrap();
    other.incidents(&[incident(2, "52682")]).await.unwrap();
    let kept = other.finish(&ctx, "2019-12-31", counts(1)).await.unwrap();
    assert!(kept.renamed_from.is_empty());
    for (release, expect_renamed) in [
        ("2020-01-05", vec!["2019-12-31"]),
        ("2020-01-08", vec!["2020-01-05"]),
    ] {
        let mut import = store
            .begin_dataset_import(&dataset(DatasetKind::Mmp, "same-bytes"))
            .await
            .unwrap();
        import
            .incidents(&[incident(2, "52682"), incident(3, "52683")])
            .await
            .unwrap();
        import.rename_same_file();
        let done = import.finish(&ctx, release, counts(2)).await.unwrap();
        assert_eq!(done.renamed_from, expect_renamed);
        assert!(!done.replaced);
    }
    let all = store.datasets_of(DatasetKind::Mmp).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].release, "2020-01-08");
    assert_eq!(store.incidents_of(&all[0].id).await.unwrap().len(), 2);
}

async fn coverage_names_areas_and_years(store: &TestStore) {
    let ctx = AuditContext::system();
    let mut import = store
        .begin_dataset_import(&dataset(DatasetKind::Ims, "cov"))
        .await
        .unwrap();
    import
        .observations(&[
            stock("484", "320", "2020", 1.0),
            stock("484", "340", "2024", 2.0),
        ])
        .await
        .unwrap();
    let d = import
        .finish(&ctx, "2024", counts(2))
        .await
        .unwrap()
        .dataset;
    let c = store.coverage(&d).await.unwrap();
    assert_eq!(c.records, 2);
    assert_eq!(
        c.areas.into_iter().collect::<Vec<_>>(),
        ["320", "340", "484"]
    );
    assert_eq!(c.years.into_iter().collect::<Vec<_>>(), ["2020", "2024"]);

    let mut import = store
        .begin_dataset_import(&dataset(DatasetKind::Mmp, "cov-m"))
        .await
        .unwrap();
    import.incidents(&[incident(2, "1")]).await.unwrap();
    let d = import
        .finish(&ctx, "2020-01-05", counts(1))
        .await
        .unwrap()
        .dataset;
    let c = store.coverage(&d).await.unwrap();
    assert_eq!(c.areas.into_iter().collect::<Vec<_>>(), ["Libya"]);
    assert_eq!(c.years.into_iter().collect::<Vec<_>>(), ["2020"]);
}

/// On PostgreSQL a second holder of the bundled-load lock waits for the first to release it.
async fn the_bundled_load_lock_excludes_a_second_holder(store: &TestStore) {
    let first = store.lock_bundled_load().await.unwrap();
    if store.backend() == Backend::Sqlite {
        // Nothing to exclude: SQLite's write transactions already take turns.
        first.release().await.unwrap();
        return;
    }
    let other = store.store.clone();
    let (tx, mut rx) = tokio::sync::oneshot::channel();
    let waiter = tokio::spawn(async move {
        let second = other.lock_bundled_load().await.unwrap();
        tx.send(()).unwrap();
        second.release().await.unwrap();
    });
    tokio::task::yield_now().await;
    // Not acquired while the first holds it: ask PostgreSQL who waits for the lock.
    let waiting: i64 = loop {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        if n > 0 {
            break n;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(waiting, 1);
    assert!(rx.try_recv().is_err(), "the second holder got the lock");
    first.release().await.unwrap();
    waiter.await.unwrap();
}

backend_tests!(
    the_store_refuses_a_repeated_observation,
    the_store_refuses_a_repeated_price_or_incident,
    the_same_file_under_another_release_is_a_rename,
    coverage_names_areas_and_years,
    the_bundled_load_lock_excludes_a_second_holder,
);
