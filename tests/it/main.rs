//! seatmail's integration tests: one crate (one link on CI), one module per area.

mod support;

mod chaos;
mod cli;
mod corpus;
mod embedded;
mod servers;
mod trust;
