//! Quote reads.
