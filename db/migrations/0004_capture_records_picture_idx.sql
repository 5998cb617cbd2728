-- Before a picture is deleted we ask whether a capture record still shows it (as the matched
-- person's photo or as its capture image); without these each question reads the whole table.
CREATE INDEX "capture_records_pic_url_idx" ON "capture_records" USING btree ("pic_url") WHERE "capture_records"."pic_url" <> '';--> statement-breakpoint
CREATE INDEX "capture_records_capture_url_idx" ON "capture_records" USING btree ("capture_url") WHERE "capture_records"."capture_url" <> '';