"""The synthetic sample bank (`clientcare sample`), apart from the product: it uses the real
tier rule and writes the same tables and params files a bank would."""
