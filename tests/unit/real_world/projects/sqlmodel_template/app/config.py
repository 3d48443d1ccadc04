class Settings:
    DATABASE_URI = "postgresql+psycopg://app@db/app"


settings = Settings()
