//! The reactive owner tree may be torn down by one thread while another still reads a context
//! from it: a page's response finishes (or its client goes away) while a resource's future is
//! still running on a Tokio worker and calls `use_context` (every `AppError` does, for the HTTP
//! status). With reactive_graph 0.2.16 as published, the reader could end up dropping the last
//! reference to an ancestor while holding its own owner's lock, and wait for that lock for ever:
//! the hang behind "one test at a time" and a way to stop a two-core server. The patched copy in
//! `vendor/reactive_graph` must keep this test green.

use leptos::prelude::*;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

#[derive(Clone)]
struct Marker;

/// Runs `f` on its own thread and fails the test if it has not finished in five seconds (a
/// deadlock would otherwise hang the whole suite).
fn finishes_in_time(what: &str, f: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    assert!(
        finished.recv_timeout(Duration::from_secs(5)).is_ok(),
        "{what}: the thread deadlocked in the owner tree"
    );
}

#[test]
fn a_context_read_survives_the_tree_being_dropped_meanwhile() {
    finishes_in_time("with_context", || {
        // root → page → resource: the context lives on the root, the read starts at the leaf.
        let root = Owner::new();
        root.with(|| provide_context(Marker));
        let page = root.child();
        let leaf = page.child();
        // Only `held` keeps the root and the page alive, as the response does in the server.
        let held = Arc::new(Mutex::new(Some((root, page))));
        let dropper = held.clone();
        let found = leaf.with(|| {
            with_context::<Marker, _>(move |_| {
                // The response goes away while the read is under way.
                drop(dropper.lock().unwrap().take());
                true
            })
        });
        assert_eq!(found, Some(true));
        assert!(held.lock().unwrap().is_none());
    });
}

#[test]
fn a_context_update_survives_the_tree_being_dropped_meanwhile() {
    finishes_in_time("update_context", || {
        let root = Owner::new();
        root.with(|| provide_context(Marker));
        let page = root.child();
        let leaf = page.child();
        let held = Arc::new(Mutex::new(Some((root, page))));
        let dropper = held.clone();
        let found = leaf.with(|| {
            update_context::<Marker, _>(move |_| {
                drop(dropper.lock().unwrap().take());
                true
            })
        });
        assert_eq!(found, Some(true));
    });
}
