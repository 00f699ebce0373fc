//! Functions guarded by `#[requires]`, validated at compile time against `bench-catalog.toml` (the 150-table
//! workload's catalog): the path users get. A `#[requires]` site has a fixed requirement, so the benchmark calls a
//! fixed set of 32 of them (spread over tables, privileges and depths) for the workload's users, and 32
//! `#[requires(any(...))]` functions that pair them.

use std::hint::black_box;

use rolegate::{Denied, Principal, RecordData, Slot, TablePrivilege, requires};

/// A generated function and the requirement written in its attribute.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// The guarded function.
    pub function: fn(&Principal) -> Result<(), Denied>,
    /// The privilege, as written.
    pub privilege: &'static str,
    /// The table, as written.
    pub table: &'static str,
    /// The minimum depth, as written.
    pub depth: &'static str,
}

impl Site {
    /// The (table, privilege) slot of the requirement in the workload's numbering.
    pub fn slot(&self) -> usize {
        let table: usize = self.table[1..]
            .parse()
            .unwrap_or_else(|_| panic!("table name {}", self.table));
        let privilege = TablePrivilege::parse(self.privilege)
            .unwrap_or_else(|| panic!("privilege {}", self.privilege));
        table * TablePrivilege::COUNT + privilege.index()
    }

    /// The minimum rank of the requirement.
    pub fn rank(&self) -> u8 {
        rolegate::Depth::parse(self.depth)
            .unwrap_or_else(|| panic!("depth {}", self.depth))
            .rank()
    }
}

/// 1 for an allowed call, 0 for a denied one, consuming the result by moving out of it, as a handler's `?` or `match`
/// does. (`.is_ok()` on a temporary would leave the whole `Result` to be dropped afterwards, which calls the
/// out-of-line drop glue of `Denied` even for an `Ok`: a cost of that pattern, not of the check.) The floor as a guard
/// ([`floor_guard_each`]) has its results consumed the same way.
#[inline(always)]
fn consume<E>(result: Result<(), E>) -> usize {
    match result {
        Ok(allowed) => {
            let () = allowed;
            1
        }
        Err(denied) => {
            drop(black_box(denied));
            0
        }
    }
}

/// `pub fn NAME(callers: &[Vec<&Principal>]) -> usize`: calls the `k`th function listed for each principal of
/// `callers[k]` and returns how many calls were allowed. Each call is written out in the loop, so an `#[inline]`
/// function's check lands there as it lands in a handler's body.
macro_rules! call_loop {
    ($(#[$attr:meta])* $fn_name:ident: $($name:ident),*) => {
        $(#[$attr])*
        #[inline(never)]
        pub fn $fn_name(callers: &[Vec<&Principal>]) -> usize {
            let mut allowed = 0;
            let mut k = 0;
            $(
                for &user in &callers[k] {
                    allowed += black_box(consume($name(black_box(user))));
                }
                k += 1;
            )*
            let _ = k;
            allowed
        }
    };
}

macro_rules! requires_sites {
    ($($name:ident => $privilege:tt on $table:tt at $depth:tt;)*) => {
        $(
            #[doc = concat!("Requires ", $privilege, " on ", $table, " at ", $depth, ".")]
            #[requires(privilege = $privilege, table = $table, depth = $depth)]
            #[inline]
            pub fn $name(user: &Principal) -> Result<(), Denied> {
                Ok(())
            }
        )*

        /// Every generated function, in order.
        pub const SITES: &[Site] = &[
            $(Site { function: $name, privilege: $privilege, table: $table, depth: $depth },)*
        ];

        call_loop! {
            /// Calls site `k` directly for each principal of `callers[k]`; returns how many calls were allowed. The
            /// functions are `#[inline]`, so the check lands in this loop as it lands in a handler's body, and what
            /// is timed is the check (as for the floor), not a call into a function that does nothing else.
            call_each: $($name),*
        }
    };
}

requires_sites! {
    site_00 => "Create" on "t5" at "Basic";
    site_01 => "Read" on "t42" at "Local";
    site_02 => "Write" on "t80" at "Deep";
    site_03 => "Delete" on "t118" at "Global";
    site_04 => "Append" on "t3" at "Basic";
    site_05 => "AppendTo" on "t40" at "Local";
    site_06 => "Assign" on "t77" at "Deep";
    site_07 => "Share" on "t114" at "Global";
    site_08 => "Create" on "t1" at "Local";
    site_09 => "Read" on "t38" at "Deep";
    site_10 => "Write" on "t75" at "Global";
    site_11 => "Delete" on "t112" at "Basic";
    site_12 => "Append" on "t149" at "Local";
    site_13 => "AppendTo" on "t36" at "Deep";
    site_14 => "Assign" on "t73" at "Global";
    site_15 => "Share" on "t110" at "Basic";
    site_16 => "Create" on "t147" at "Deep";
    site_17 => "Read" on "t34" at "Global";
    site_18 => "Write" on "t71" at "Basic";
    site_19 => "Delete" on "t108" at "Local";
    site_20 => "Append" on "t145" at "Deep";
    site_21 => "AppendTo" on "t32" at "Global";
    site_22 => "Assign" on "t69" at "Basic";
    site_23 => "Share" on "t106" at "Local";
    site_24 => "Create" on "t143" at "Global";
    site_25 => "Read" on "t30" at "Basic";
    site_26 => "Write" on "t67" at "Local";
    site_27 => "Delete" on "t104" at "Deep";
    site_28 => "Append" on "t141" at "Global";
    site_29 => "AppendTo" on "t28" at "Basic";
    site_30 => "Assign" on "t65" at "Local";
    site_31 => "Share" on "t102" at "Deep";
}

/// A generated `#[requires(any(...))]` function and its two alternatives, each the [`Site`] that requires it alone.
#[derive(Debug, Clone, Copy)]
pub struct AnySite {
    /// The guarded function.
    pub function: fn(&Principal) -> Result<(), Denied>,
    /// Its alternatives, in the order written.
    pub alternatives: [Site; 2],
}

macro_rules! any_of_sites {
    ($($name:ident => $f1:ident ($p1:tt on $t1:tt at $d1:tt) or $f2:ident ($p2:tt on $t2:tt at $d2:tt);)*) => {
        $(
            #[doc = concat!("Requires ", $p1, " on ", $t1, " at ", $d1, ", or ", $p2, " on ", $t2, " at ", $d2, ".")]
            #[requires(any(
                (privilege = $p1, table = $t1, depth = $d1),
                (privilege = $p2, table = $t2, depth = $d2),
            ))]
            #[inline]
            pub fn $name(user: &Principal) -> Result<(), Denied> {
                Ok(())
            }
        )*

        /// Every generated any-of function, in order: function `k` pairs sites `k` and `k + 1` (wrapping).
        pub const ANY_SITES: &[AnySite] = &[
            $(AnySite {
                function: $name,
                alternatives: [
                    Site { function: $f1, privilege: $p1, table: $t1, depth: $d1 },
                    Site { function: $f2, privilege: $p2, table: $t2, depth: $d2 },
                ],
            },)*
        ];

        call_loop! {
            /// Calls any-of function `k` for each principal of `callers[k]`, inlined as [`call_each`] calls its
            /// sites; returns how many calls were allowed.
            call_each_any: $($name),*
        }
    };
}

any_of_sites! {
    any_00 => site_00 ("Create" on "t5" at "Basic") or site_01 ("Read" on "t42" at "Local");
    any_01 => site_01 ("Read" on "t42" at "Local") or site_02 ("Write" on "t80" at "Deep");
    any_02 => site_02 ("Write" on "t80" at "Deep") or site_03 ("Delete" on "t118" at "Global");
    any_03 => site_03 ("Delete" on "t118" at "Global") or site_04 ("Append" on "t3" at "Basic");
    any_04 => site_04 ("Append" on "t3" at "Basic") or site_05 ("AppendTo" on "t40" at "Local");
    any_05 => site_05 ("AppendTo" on "t40" at "Local") or site_06 ("Assign" on "t77" at "Deep");
    any_06 => site_06 ("Assign" on "t77" at "Deep") or site_07 ("Share" on "t114" at "Global");
    any_07 => site_07 ("Share" on "t114" at "Global") or site_08 ("Create" on "t1" at "Local");
    any_08 => site_08 ("Create" on "t1" at "Local") or site_09 ("Read" on "t38" at "Deep");
    any_09 => site_09 ("Read" on "t38" at "Deep") or site_10 ("Write" on "t75" at "Global");
    any_10 => site_10 ("Write" on "t75" at "Global") or site_11 ("Delete" on "t112" at "Basic");
    any_11 => site_11 ("Delete" on "t112" at "Basic") or site_12 ("Append" on "t149" at "Local");
    any_12 => site_12 ("Append" on "t149" at "Local") or site_13 ("AppendTo" on "t36" at "Deep");
    any_13 => site_13 ("AppendTo" on "t36" at "Deep") or site_14 ("Assign" on "t73" at "Global");
    any_14 => site_14 ("Assign" on "t73" at "Global") or site_15 ("Share" on "t110" at "Basic");
    any_15 => site_15 ("Share" on "t110" at "Basic") or site_16 ("Create" on "t147" at "Deep");
    any_16 => site_16 ("Create" on "t147" at "Deep") or site_17 ("Read" on "t34" at "Global");
    any_17 => site_17 ("Read" on "t34" at "Global") or site_18 ("Write" on "t71" at "Basic");
    any_18 => site_18 ("Write" on "t71" at "Basic") or site_19 ("Delete" on "t108" at "Local");
    any_19 => site_19 ("Delete" on "t108" at "Local") or site_20 ("Append" on "t145" at "Deep");
    any_20 => site_20 ("Append" on "t145" at "Deep") or site_21 ("AppendTo" on "t32" at "Global");
    any_21 => site_21 ("AppendTo" on "t32" at "Global") or site_22 ("Assign" on "t69" at "Basic");
    any_22 => site_22 ("Assign" on "t69" at "Basic") or site_23 ("Share" on "t106" at "Local");
    any_23 => site_23 ("Share" on "t106" at "Local") or site_24 ("Create" on "t143" at "Global");
    any_24 => site_24 ("Create" on "t143" at "Global") or site_25 ("Read" on "t30" at "Basic");
    any_25 => site_25 ("Read" on "t30" at "Basic") or site_26 ("Write" on "t67" at "Local");
    any_26 => site_26 ("Write" on "t67" at "Local") or site_27 ("Delete" on "t104" at "Deep");
    any_27 => site_27 ("Delete" on "t104" at "Deep") or site_28 ("Append" on "t141" at "Global");
    any_28 => site_28 ("Append" on "t141" at "Global") or site_29 ("AppendTo" on "t28" at "Basic");
    any_29 => site_29 ("AppendTo" on "t28" at "Basic") or site_30 ("Assign" on "t65" at "Local");
    any_30 => site_30 ("Assign" on "t65" at "Local") or site_31 ("Share" on "t102" at "Deep");
    any_31 => site_31 ("Share" on "t102" at "Deep") or site_00 ("Create" on "t5" at "Basic");
}

/// The same calls as [`call_each`], each through the function pointer in [`SITES`] (an indirect call the compiler
/// cannot inline): the check plus the cost of calling a function.
#[inline(never)]
pub fn call_each_out_of_line(callers: &[Vec<&Principal>]) -> usize {
    let mut allowed = 0;
    for (site, users) in SITES.iter().zip(callers) {
        let function = black_box(site.function);
        for &user in users {
            allowed += black_box(consume(function(black_box(user))));
        }
    }
    allowed
}

/// The floor on the same calls as [`call_each`]: `callers[k]` are user indexes, `SITES[k]` gives the slot and rank.
#[inline(never)]
pub fn floor_each(
    floor: &crate::engines::Floor,
    callers: &[Vec<u32>],
    requirements: &[(usize, u8)],
) -> usize {
    let mut allowed = 0;
    for (users, &(slot, rank)) in callers.iter().zip(requirements) {
        for &user in users {
            allowed += usize::from(black_box(floor.row(black_box(user))[slot] >= rank));
        }
    }
    allowed
}

/// The record sites' calls decided by [`Principal::can_at`] on each site's slot (`slots`, from
/// [`crate::records::RecordWorkload::site_slots`]): the decision of `#[requires(record)]` without a `Denied`, as a
/// handler filtering a list of records would make it. Returns how many calls were allowed.
pub fn can_at_each(calls: &[Vec<(&Principal, &RecordData)>], slots: &[Slot]) -> usize {
    let mut allowed = 0;
    for (calls, &slot) in calls.iter().zip(slots) {
        for &(user, record) in calls {
            allowed += usize::from(black_box(black_box(user).can_at(slot, black_box(record))));
        }
    }
    allowed
}

/// What the floor's guard returns on a denial: as small as a denial can be (the slot and the rank required).
#[derive(Debug)]
pub struct FloorDenied {
    /// The slot checked.
    pub slot: usize,
    /// The rank required.
    pub rank: u8,
}

/// The floor as a handler would use it: one index and a compare, then `Err` on a denial, which the caller matches on
/// (as [`call_each`]'s callers do with `#[requires]`'s result). Unlike [`floor_each`], which sums the compare's
/// `bool`, the caller branches on the outcome; on calls that are denied at random, that branch is mispredicted about
/// as often as the check's own.
#[inline(never)]
pub fn floor_guard_each(
    floor: &crate::engines::Floor,
    callers: &[Vec<u32>],
    requirements: &[(usize, u8)],
) -> usize {
    #[inline(always)]
    fn guard(
        floor: &crate::engines::Floor,
        user: u32,
        slot: usize,
        rank: u8,
    ) -> Result<(), FloorDenied> {
        if floor.allows(user, slot, rank) {
            Ok(())
        } else {
            Err(FloorDenied { slot, rank })
        }
    }
    let mut allowed = 0;
    for (users, &(slot, rank)) in callers.iter().zip(requirements) {
        for &user in users {
            allowed += black_box(consume(guard(floor, black_box(user), slot, rank)));
        }
    }
    allowed
}

/// A generated record-form function (`#[requires(..., record = record)]`) and its requirement.
#[derive(Debug, Clone, Copy)]
pub struct RecordSite {
    /// The guarded function.
    pub function: fn(&Principal, &RecordData) -> Result<(), Denied>,
    /// The privilege, as written.
    pub privilege: &'static str,
    /// The table, as written.
    pub table: &'static str,
}

impl RecordSite {
    /// The privilege.
    pub fn privilege(&self) -> TablePrivilege {
        TablePrivilege::parse(self.privilege)
            .unwrap_or_else(|| panic!("privilege {}", self.privilege))
    }
}

macro_rules! record_sites {
    ($($name:ident => $privilege:tt on $table:tt;)*) => {
        $(
            #[doc = concat!("Requires ", $privilege, " on the given ", $table, " record.")]
            #[requires(privilege = $privilege, table = $table, record = record)]
            pub fn $name(user: &Principal, record: &RecordData) -> Result<(), Denied> {
                Ok(())
            }
        )*

        /// Every generated record-form function, in order.
        pub const RECORD_SITES: &[RecordSite] = &[
            $(RecordSite { function: $name, privilege: $privilege, table: $table },)*
        ];

        /// Calls record site `k` directly for each (principal, record) of `calls[k]`; returns how many were allowed.
        /// These functions carry no `#[inline]` (the compiler's choice, as a user writes them): inlining the record
        /// check into each of the eight loops measured slower (16 ns against 12 ns for an allowed call, hot set).
        #[inline(never)]
        pub fn call_each_record(calls: &[Vec<(&Principal, &RecordData)>]) -> usize {
            let mut allowed = 0;
            let mut k = 0;
            $(
                for &(user, record) in &calls[k] {
                    allowed += black_box(consume($name(black_box(user), black_box(record))));
                }
                k += 1;
            )*
            let _ = k;
            allowed
        }
    };
}

record_sites! {
    record_00 => "Read" on "t5";
    record_01 => "Write" on "t42";
    record_02 => "Delete" on "t80";
    record_03 => "Assign" on "t118";
    record_04 => "Share" on "t3";
    record_05 => "Read" on "t40";
    record_06 => "Write" on "t77";
    record_07 => "Delete" on "t114";
}
