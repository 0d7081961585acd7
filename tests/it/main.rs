//! seatmail's integration tests: one crate (one link on CI), one module per area.

mod support;

mod browser;
mod chaos;
mod cli;
mod corpus;
mod embedded;
mod faults;
mod hostile;
mod oauth;
mod postgres;
mod servers;
mod trust;
mod upgrade;
mod vendor;
mod vendor_chaos;
mod web;
