package web

import (
	"net/http"
	"strconv"

	"github.com/ratusz/ratusz"
	"github.com/ratusz/ratusz/bip"
	"github.com/ratusz/ratusz/web/httpx"
)

type adminCategoriesPage struct {
	Page
	Categories []catOption
}

func (*adminCategoriesPage) template() string { return "admin_categories" }

func (s *Server) adminCategories(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	opts, err := s.categoryOptions(r)
	if err != nil {
		return err
	}
	p := &adminCategoriesPage{Categories: opts}
	p.Lang = s.lang(r) // the handler translates messages before render
	p.Title = "admin.categories.title"
	p.Section = "admin"
	if r.URL.Query().Get("zapisano") != "" {
		p.Notice = p.T("admin.categories.saved")
	}
	s.render(w, r, http.StatusOK, p)
	return nil
}

type adminCategoryPage struct {
	Page
	Category *bip.Category // nil for a new one
	Input    bip.CategoryInput
	Parents  []catOption
}

func (*adminCategoryPage) template() string { return "admin_category" }

func (s *Server) renderCategoryForm(w http.ResponseWriter, r *http.Request, code int, p *adminCategoryPage) error {
	opts, err := s.categoryOptions(r)
	if err != nil {
		return err
	}
	for _, o := range opts {
		if p.Category == nil || o.Slug != p.Category.Slug {
			p.Parents = append(p.Parents, o)
		}
	}
	p.Section = "admin"
	p.Title = "admin.category.new"
	if p.Category != nil {
		p.Title = "admin.category.edit"
	}
	s.render(w, r, code, p)
	return nil
}

func (s *Server) adminCategoryForm(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	p := &adminCategoryPage{}
	if slug := urlParam(r, "slug"); slug != "" {
		c, err := s.BIP.CategoryBySlug(r.Context(), slug)
		if err != nil {
			return err
		}
		p.Category = c
		p.Input = bip.CategoryInput{Slug: c.Slug, NamePL: c.NamePL, NameEN: c.NameEN, Position: c.Position}
		if c.ParentID != nil {
			all, err := s.BIP.Categories(r.Context())
			if err != nil {
				return err
			}
			for _, x := range all {
				if x.ID == *c.ParentID {
					p.Input.Parent = x.Slug
				}
			}
		}
	}
	return s.renderCategoryForm(w, r, http.StatusOK, p)
}

func (s *Server) adminCategorySave(w http.ResponseWriter, r *http.Request) error {
	if err := ratusz.ActorFromContext(r.Context()).Require(ratusz.RoleAdmin); err != nil {
		return err
	}
	v := r.PostForm
	in := bip.CategoryInput{Slug: v.Get("slug"), NamePL: v.Get("name_pl"), NameEN: v.Get("name_en"), Parent: v.Get("parent")}
	p := &adminCategoryPage{Input: in}
	p.Lang = s.lang(r) // the handler translates messages before render
	if pos := v.Get("position"); pos != "" {
		n, err := strconv.Atoi(pos)
		if err != nil {
			p.Errors = map[string]string{"position": p.T("err.number")}
			return s.renderCategoryForm(w, r, http.StatusBadRequest, p)
		}
		in.Position = n
		p.Input.Position = n
	}
	var err error
	if slug := urlParam(r, "slug"); slug != "" {
		if p.Category, err = s.BIP.CategoryBySlug(r.Context(), slug); err != nil {
			return err
		}
		_, err = s.BIP.UpdateCategory(r.Context(), p.Category.ID, in)
	} else {
		_, err = s.BIP.CreateCategory(r.Context(), in)
	}
	switch ratusz.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/bip/kategorie?zapisano=1", http.StatusSeeOther)
		return nil
	case ratusz.EINVALID, ratusz.ECONFLICT:
		p.Errors = map[string]string{ratusz.ErrorField(err): httpx.Message(s.lang(r), err)}
		return s.renderCategoryForm(w, r, httpx.Status(err), p)
	}
	return err
}
