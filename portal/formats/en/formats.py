# Day, month, year ("9 March 2021"), as the portal's other languages order them and an international
# institution writes English, rather than Django's American "March 9, 2021" (with "Sept." and "Aug.").
DATE_FORMAT = "j F Y"
