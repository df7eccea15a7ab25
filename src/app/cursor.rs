//! The list cursor every view uses, and the movement keys that drive it.
use crate::app::keymap::Action;

/// A cursor over a virtualized table: the selection and the first visible row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` within `len` rows and keeps the selection inside a window of `height`.
    pub fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let sel = (self.selected as isize + delta).clamp(0, len as isize - 1) as usize;
        self.selected = sel;
        self.fit(len, height);
    }

    /// The first visible row for a window of `height` rows, keeping the selection visible even
    /// when the stored offset is stale (render is pure and cannot fix the cursor itself).
    pub fn window(&self, height: usize) -> usize {
        let height = height.max(1);
        if self.selected < self.offset {
            self.selected
        } else if self.selected >= self.offset + height {
            self.selected + 1 - height
        } else {
            self.offset
        }
    }

    pub fn fit(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.selected = self.selected.min(len - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }
}

/// Moves `cursor` for a movement key; false for any other key.
pub fn move_cursor(cursor: &mut Cursor, action: Action, len: usize, height: usize) -> bool {
    match action {
        Action::Down => cursor.step(1, len, height),
        Action::Up => cursor.step(-1, len, height),
        Action::PageDown => cursor.step(height as isize, len, height),
        Action::PageUp => cursor.step(-(height as isize), len, height),
        Action::Top => cursor.step(-(len as isize), len, height),
        Action::Bottom => cursor.step(len as isize, len, height),
        _ => return false,
    }
    true
}
