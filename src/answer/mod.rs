//! The answer stage: the confirmation, rejection, clarification or approval-pending mail, in
//! the customer's language, threaded as a reply, queued in the outbox in the same transaction as
//! the change it reports, and delivered by the sender worker.

pub mod outbox;
pub mod render;
pub mod transport;

pub use outbox::Sender;
pub use render::{AnswerInput, RenderError, Rendered, Renderer};
pub use transport::{FileTransport, SendError, SmtpLogin, SmtpTransport, Transport};
