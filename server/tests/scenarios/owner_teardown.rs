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

/// Builds root → page → leaf with the context on the root, and runs `lookup` at the leaf with a
/// callback that drops the root and the page (only it holds them, as a response does) from inside
/// the lookup. Fails if the lookup does not find the context, or has not returned within five
/// seconds (a deadlock would otherwise hang the whole suite).
fn lookup_survives_the_tree_dropped_meanwhile(
    what: &'static str,
    lookup: fn(Box<dyn FnOnce() + Send>) -> Option<()>,
) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let root = Owner::new();
        root.with(|| provide_context(Marker));
        let page = root.child();
        let leaf = page.child();
        let held = Arc::new(Mutex::new(Some((root, page))));
        let dropper = held.clone();
        let found = leaf.with(|| lookup(Box::new(move || drop(dropper.lock().unwrap().take()))));
        assert_eq!(found, Some(()), "{what}: the context was not found");
        assert!(held.lock().unwrap().is_none());
        let _ = done.send(());
    });
    assert!(
        finished.recv_timeout(Duration::from_secs(5)).is_ok(),
        "{what}: the thread deadlocked in the owner tree"
    );
}

#[test]
fn a_context_read_survives_the_tree_being_dropped_meanwhile() {
    lookup_survives_the_tree_dropped_meanwhile("with_context", |drop_tree| {
        with_context::<Marker, _>(move |_| drop_tree())
    });
}

#[test]
fn a_context_update_survives_the_tree_being_dropped_meanwhile() {
    lookup_survives_the_tree_dropped_meanwhile("update_context", |drop_tree| {
        update_context::<Marker, _>(move |_| drop_tree())
    });
}
