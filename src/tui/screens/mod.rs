//! The screens, each a component with its own state, key handler and view.
//! A screen never reaches into another's state; the app routes between them.

pub mod case;
pub mod confirm;
pub mod flag_panel;
pub mod home;
pub mod new_visit;
pub mod onboarding;
pub mod overview;
pub mod quit;
pub mod readback;
pub mod review;
mod review_tabs;
pub mod roster;
pub mod status;
pub mod unlock;
pub mod visit;

use ratatui::layout::{Constraint, Flex, Layout, Rect};

/// A rectangle of `width` × `height` centred in `area` (clipped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
