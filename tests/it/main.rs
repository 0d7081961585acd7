//! seatmail's integration tests: one crate (one link on CI), one module per area.

mod support;

mod browser;
mod cautious;
mod chaos;
mod cli;
mod corpus;
mod dashboard;
mod embedded;
mod faults;
mod hostile;
mod mixed;
mod oauth;
mod ops;
mod postgres;
mod servers;
mod setup;
mod trust;
mod upgrade;
mod vendor;
mod vendor_chaos;
mod web;
