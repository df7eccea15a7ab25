//! `:who-can-admin` and the "can become" tree of a principal's page (issue 14 item 5).
use crate::common;
use common::demo::{loaded, press, text};

#[test]
fn explore() {
    let mut st = loaded(120, 34);
    press(&mut st, ":who-can-admin<Enter>");
    println!("{}", text(&st));
    press(&mut st, "<Enter>");
    println!("{}", text(&st));
    let mut st = loaded(80, 24);
    press(&mut st, ":who-can-admin<Enter><Enter>");
    println!("{}", text(&st));
}
