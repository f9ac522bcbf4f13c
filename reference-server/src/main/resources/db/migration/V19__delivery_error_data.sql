-- Why a delivery failed, as a message code and arguments (errors.Message), so that each reader of the delivery log
-- gets it in their language; `last_error` keeps the English text (older rows have only that).
ALTER TABLE notifications ADD COLUMN last_error_data TEXT;
