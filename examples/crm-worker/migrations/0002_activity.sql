-- Activity feed and deal values
CREATE TABLE activity (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  contact_id INTEGER REFERENCES contacts(id),
  kind TEXT NOT NULL,
  payload TEXT,
  created_at TEXT NOT NULL DEFAULT (datetime('now'))
);

ALTER TABLE contacts ADD COLUMN deal_value_cents INTEGER NOT NULL DEFAULT 0;
CREATE INDEX idx_activity_user ON activity(user_id);
