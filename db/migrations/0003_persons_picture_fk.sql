-- A person's picture row stays while the person exists, so a DeletePicture racing an AddPerson on
-- the same picture fails one of the two instead of leaving a person without a picture. NOT VALID:
-- enforced from now on without rejecting a database where that race already happened.
ALTER TABLE "persons" ADD CONSTRAINT "persons_pic_url_pictures_url_fk" FOREIGN KEY ("pic_url") REFERENCES "public"."pictures"("url") ON DELETE no action ON UPDATE no action NOT VALID;
