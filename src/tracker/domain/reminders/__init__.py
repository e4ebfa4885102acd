"""Reminders: chasing the work. A town's policy, the pure rule of who is owed what and when
(rules), the outbox of messages (queue, dispatch), the channels they go out on, the in-app list,
the calendar feed, and the scheduler that keeps tasks ahead and runs it all."""
