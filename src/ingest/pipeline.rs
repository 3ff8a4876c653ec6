//! Bulk ingest: articles come in on the caller's thread, are extracted in parallel on
//! every core and written by one writer in batched transactions, with a bounded queue
//! between the stages so that memory does not grow with the corpus.
//!
//! ```text
//! caller (reads) --batch--> extractor (rayon, all cores) --prepared batch--> writer (one transaction)
//! ```
//!
//! The queues hold nothing: a stage hands a batch over only when the next one takes it,
//! so at most three batches are in memory at once (one being filled, one being
//! extracted, one being written) whatever the size of the corpus, and extraction of the
//! next batch still overlaps the writing of this one.

use std::sync::mpsc::sync_channel;

use rayon::prelude::*;

use super::{now, prepare, ArticleInput, FieldError, IngestError, Ingested};
use crate::store::{NewArticle, Store, StoreError};

/// An article after extraction, or the field errors that refused it, with its origin
/// (a file name, an NDJSON line, an index in a request).
pub type Prepared<O> = (O, Result<NewArticle, Vec<FieldError>>);

/// What became of one article, with its origin.
pub type Outcome<O> = (O, Result<Ingested, IngestError>);

/// Validates and extracts every input in parallel, keeping their order.
pub fn prepare_all<O: Send>(inputs: Vec<(O, ArticleInput)>, ingested_at: &str) -> Vec<Prepared<O>> {
    inputs
        .into_par_iter()
        .map(|(origin, input)| (origin, prepare(input, ingested_at.to_owned())))
        .collect()
}

/// Stores the valid articles of a prepared batch in one transaction and gives each input
/// its own result, in order: one bad article never sinks the others.
pub fn store_prepared<O>(
    store: &Store,
    prepared: Vec<Prepared<O>>,
) -> Result<Vec<Outcome<O>>, StoreError> {
    let (valid, refused): (Vec<_>, Vec<_>) = prepared
        .into_iter()
        .enumerate()
        .partition(|(_, (_, p))| p.is_ok());
    let (valid_slots, valid): (Vec<(usize, O)>, Vec<NewArticle>) = valid
        .into_iter()
        .map(|(slot, (origin, p))| ((slot, origin), p.expect("partitioned as valid")))
        .unzip();
    let stored = store.insert_articles(&valid)?;
    let mut results: Vec<(usize, O, Result<Ingested, IngestError>)> = refused
        .into_iter()
        .map(|(slot, (origin, p))| {
            let errors = match p {
                Err(errors) => errors,
                Ok(_) => unreachable!("partitioned as refused"),
            };
            (slot, origin, Err(IngestError::Invalid(errors)))
        })
        .chain(
            valid_slots
                .into_iter()
                .zip(stored)
                .map(|((slot, origin), outcome)| {
                    (
                        slot,
                        origin,
                        outcome.map(Ingested::from).map_err(IngestError::Store),
                    )
                }),
        )
        .collect();
    results.sort_by_key(|(slot, _, _)| *slot);
    Ok(results
        .into_iter()
        .map(|(_, origin, result)| (origin, result))
        .collect())
}

/// Extracts and stores every input, `batch_size` articles per transaction, calling
/// `on_result` (on the writer's thread) for each article in input order.
///
/// Stops at the first failure of the database itself (a full disk, a locked file);
/// an article that is invalid or fails alone is only reported.
pub fn ingest_stream<O, I, F>(
    store: &Store,
    inputs: I,
    batch_size: usize,
    mut on_result: F,
) -> Result<(), StoreError>
where
    O: Send,
    I: IntoIterator<Item = (O, ArticleInput)>,
    F: FnMut(O, Result<Ingested, IngestError>) + Send,
{
    let batch_size = batch_size.max(1);
    let bulk = store.bulk_load()?;
    let stamp = now();
    let (to_extract, extract_queue) = sync_channel::<Vec<(O, ArticleInput)>>(0);
    let (to_write, write_queue) = sync_channel::<Vec<Prepared<O>>>(0);
    std::thread::scope(|scope| {
        let stamp = &stamp;
        let extractor = scope.spawn(move || {
            for batch in extract_queue {
                // A closed queue means the writer stopped on an error it will report.
                if to_write.send(prepare_all(batch, stamp)).is_err() {
                    break;
                }
            }
        });
        let writer = scope.spawn(move || -> Result<(), StoreError> {
            for batch in write_queue {
                for (origin, result) in store_prepared(store, batch)? {
                    on_result(origin, result);
                }
            }
            Ok(())
        });

        let mut batch = Vec::with_capacity(batch_size);
        for item in inputs {
            batch.push(item);
            if batch.len() >= batch_size {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(batch_size));
                if to_extract.send(full).is_err() {
                    break;
                }
            }
        }
        if !batch.is_empty() {
            let _ = to_extract.send(batch);
        }
        drop(to_extract);
        if let Err(panic) = extractor.join() {
            std::panic::resume_unwind(panic);
        }
        writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    bulk.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: usize) -> ArticleInput {
        ArticleInput {
            text: Some(format!(
                "Headline {n}\n\nThe mayor said \u{201c}we will build bridge number {n},\u{201d} on Monday."
            )),
            url: Some(format!("https://example.org/story/{n}")),
            ..ArticleInput::default()
        }
    }

    #[test]
    fn every_input_gets_its_result_in_order_across_batches() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("p.db")).unwrap();
        let mut inputs: Vec<(usize, ArticleInput)> = (0..23).map(|n| (n, text(n))).collect();
        inputs[5].1 = ArticleInput {
            text: Some("   ".into()),
            ..ArticleInput::default()
        };
        inputs[17].1 = text(3); // the same URL as article 3: a duplicate
        let mut seen = Vec::new();
        ingest_stream(&store, inputs, 4, |origin, result| {
            seen.push((origin, result))
        })
        .unwrap();

        let origins: Vec<usize> = seen.iter().map(|(o, _)| *o).collect();
        assert_eq!(origins, (0..23).collect::<Vec<_>>());
        assert!(matches!(seen[5].1, Err(IngestError::Invalid(_))));
        let first = seen[3].1.as_ref().unwrap().id().to_owned();
        assert_eq!(
            seen[17].1.as_ref().unwrap(),
            &Ingested::Duplicate { id: first }
        );
        let created = seen
            .iter()
            .filter(|(_, r)| matches!(r, Ok(Ingested::Created { .. })))
            .count();
        assert_eq!(created, 21);
    }
}
